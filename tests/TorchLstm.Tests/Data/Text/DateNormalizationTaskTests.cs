using TorchLstm.Data.Text;

namespace TorchLstm.Tests.Data.Text;

public class DateNormalizationTaskTests
{
    [Fact]
    public void Formats_write_the_examples_of_the_issue()
    {
        var date = new DateOnly(2021, 3, 3);
        var texts = Enumerable.Range(0, DateFormats.Count).Select(i => DateFormats.Render(date, i)).ToList();
        Assert.True(DateFormats.Count >= 10);
        foreach (string expected in new[] { "3 March 2021", "Wed, Mar 3 '21", "03/03/2021", "2021.3.3", "March 3rd, 2021", "3-MAR-21" })
            Assert.Contains(expected, texts);
        Assert.Equal(DateFormats.Count, texts.Distinct().Count());
        Assert.Equal("2021-03-03", DateFormats.Iso(date));
        Assert.Equal("the 11th of November 1999", DateFormats.Render(new DateOnly(1999, 11, 11), DateFormats.Names.ToList().IndexOf("the dth of MMMM yyyy")));
        Assert.Equal("Tue, Jan 22 '52", DateFormats.Render(new DateOnly(1952, 1, 22), 1));
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_a_different_one()
    {
        var first = DateNormalizationTask.Generate(7, trainCount: 500, validationCount: 100, testCount: 100);
        var again = DateNormalizationTask.Generate(7, trainCount: 500, validationCount: 100, testCount: 100);
        var other = DateNormalizationTask.Generate(8, trainCount: 500, validationCount: 100, testCount: 100);
        Assert.Equal(first.Train, again.Train);
        Assert.Equal(first.Validation, again.Validation);
        Assert.Equal(first.Test, again.Test);
        Assert.NotEqual(first.Test.Select(e => e.Date), other.Test.Select(e => e.Date));
        Assert.All(first.Train, e => Assert.Equal(DateFormats.Render(e.Date, e.FormatIndex), e.Text));
    }

    [Fact]
    public void Train_validation_and_test_are_disjoint_by_calendar_date_with_balanced_test_formats()
    {
        var split = DateNormalizationTask.Generate(42, trainCount: 20_000);
        var test = split.Test.Select(e => e.Date).ToHashSet();
        var validation = split.Validation.Select(e => e.Date).ToHashSet();
        Assert.Equal(1000, test.Count);
        Assert.Equal(1000, validation.Count);
        Assert.Empty(test.Intersect(validation));
        Assert.DoesNotContain(split.Train, e => test.Contains(e.Date) || validation.Contains(e.Date));
        Assert.All(split.Test, e => Assert.InRange(e.Date, DateNormalizationTask.FirstDate, DateNormalizationTask.LastDate));
        var perFormat = split.Test.GroupBy(e => e.FormatIndex).Select(g => g.Count()).ToList();
        Assert.Equal(DateFormats.Count, perFormat.Count);
        Assert.True(perFormat.Max() - perFormat.Min() <= 1);
        // All dates are reachable: 20,000 training examples cover 20,000 distinct dates before any repeats.
        Assert.Equal(20_000, split.Train.Select(e => e.Date).Distinct().Count());
    }

    [Fact]
    public void Counts_that_leave_no_training_dates_are_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DateNormalizationTask.Generate(1, validationCount: 20_000, testCount: 20_000));
        Assert.Contains("must be below the 36525 dates", error.Message);
        Assert.Equal("trainCount", Assert.Throws<ArgumentOutOfRangeException>(() => DateNormalizationTask.Generate(1, trainCount: 0)).ParamName);
    }
}
