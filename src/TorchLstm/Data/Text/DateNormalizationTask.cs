namespace TorchLstm.Data.Text;

/// <summary>One example of the date-normalisation task.</summary>
/// <param name="Date">The calendar date.</param>
/// <param name="FormatIndex">Index into <see cref="DateFormats.Names"/>.</param>
/// <param name="Text">The date as a person wrote it (the model's input).</param>
/// <param name="Iso">The ISO 8601 form <c>yyyy-MM-dd</c> (the model's target).</param>
public sealed record DateExample(DateOnly Date, int FormatIndex, string Text, string Iso)
{
    /// <summary>The name of the input format.</summary>
    public string Format => DateFormats.Names[FormatIndex];
}

/// <summary>Train, validation and test examples whose calendar dates never overlap.</summary>
/// <param name="Train">Training examples (a date may appear in several formats).</param>
/// <param name="Validation">Validation examples, one per date, formats in rotation.</param>
/// <param name="Test">Held-out examples, one per date, formats in rotation.</param>
public sealed record DateSplit(IReadOnlyList<DateExample> Train, IReadOnlyList<DateExample> Validation, IReadOnlyList<DateExample> Test);

/// <summary>
/// Generates the date-normalisation task (human-written dates → ISO 8601), deterministically from a
/// seed, with train, validation and test disjoint by calendar date.
/// </summary>
public static class DateNormalizationTask
{
    /// <summary>The first date drawn.</summary>
    public static DateOnly FirstDate { get; } = new(1950, 1, 1);

    /// <summary>The last date drawn; with <see cref="FirstDate"/> this keeps two-digit years unambiguous.</summary>
    public static DateOnly LastDate { get; } = new(2049, 12, 31);

    /// <summary>Number of calendar dates in [<see cref="FirstDate"/>, <see cref="LastDate"/>].</summary>
    public static int DateCount => LastDate.DayNumber - FirstDate.DayNumber + 1;

    /// <summary>
    /// Shuffles every date in range with a generator seeded by <paramref name="seed"/>, gives the first
    /// <paramref name="testCount"/> to the test set and the next <paramref name="validationCount"/> to
    /// validation (one example each, formats rotating so that every format is equally represented), and
    /// draws <paramref name="trainCount"/> training examples from the remaining dates in random formats.
    /// </summary>
    /// <param name="seed">The seed; the same seed always gives the same split.</param>
    /// <param name="trainCount">Training examples. Accepted: 1 or more.</param>
    /// <param name="validationCount">Validation dates. Accepted: 0 or more.</param>
    /// <param name="testCount">Test dates. Accepted: 0 or more, with validation and test leaving at least one date for training.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    public static DateSplit Generate(long seed, int trainCount = 20_000, int validationCount = 1_000, int testCount = 1_000)
    {
        if (trainCount < 1)
            throw new ArgumentOutOfRangeException(nameof(trainCount), trainCount, $"trainCount must be at least 1 (got {trainCount}).");
        if (validationCount < 0)
            throw new ArgumentOutOfRangeException(nameof(validationCount), validationCount, $"validationCount must be 0 or more (got {validationCount}).");
        if (testCount < 0)
            throw new ArgumentOutOfRangeException(nameof(testCount), testCount, $"testCount must be 0 or more (got {testCount}).");
        if ((long)validationCount + testCount >= DateCount)
            throw new ArgumentOutOfRangeException(nameof(testCount), testCount,
                $"validationCount + testCount must be below the {DateCount} dates in range so some remain for training (got {validationCount} + {testCount}).");

        var random = CreateRandom(seed);
        var dates = Enumerable.Range(0, DateCount).Select(FirstDate.AddDays).ToArray();
        random.Shuffle(dates);

        var test = Rotate(dates.AsSpan(0, testCount), random);
        var validation = Rotate(dates.AsSpan(testCount, validationCount), random);
        var pool = dates[(testCount + validationCount)..];
        var train = new DateExample[trainCount];
        for (int i = 0; i < trainCount; i++)
        {
            // Walk the shuffled pool before reusing a date, so small training sets cover many dates.
            var date = pool[i % pool.Length];
            train[i] = Example(date, random.Next(DateFormats.Count));
        }
        return new DateSplit(train, validation, test);
    }

    /// <summary>An example of <paramref name="date"/> written in format <paramref name="formatIndex"/>.</summary>
    public static DateExample Example(DateOnly date, int formatIndex) =>
        new(date, formatIndex, DateFormats.Render(date, formatIndex), DateFormats.Iso(date));

    private static DateExample[] Rotate(ReadOnlySpan<DateOnly> dates, Random random)
    {
        // Rotation from a random offset: balanced formats, but not always format 0 for the first date.
        int offset = random.Next(DateFormats.Count);
        var examples = new DateExample[dates.Length];
        for (int i = 0; i < dates.Length; i++)
            examples[i] = Example(dates[i], (i + offset) % DateFormats.Count);
        return examples;
    }

    /// <summary>
    /// System.Random with an explicit seed uses an algorithm .NET keeps stable across versions, so the
    /// data set is the same everywhere; the long seed is folded into the int seed it accepts.
    /// </summary>
    private static Random CreateRandom(long seed) => new(unchecked((int)(seed ^ (seed >> 32))) & int.MaxValue);
}
