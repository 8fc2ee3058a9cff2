using System.Globalization;

namespace TorchLstm.Data.Text;

/// <summary>
/// The human date formats of the date-normalisation task, written with English names independent of
/// the machine's culture. Each has a stable name (a .NET-style pattern) used in reports.
/// </summary>
/// <remarks>
/// Only one numeric day/month order is used per separator (day first with slashes and dots, year
/// first with dots and dashes), so every text names exactly one date. Two-digit years belong to
/// 1950–2049, the range <see cref="DateNormalizationTask"/> draws from.
/// </remarks>
public static class DateFormats
{
    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly (string Name, Func<DateOnly, string> Render)[] Formats =
    [
        ("d MMMM yyyy", d => $"{d.Day} {Month(d)} {d.Year}"),                            // 3 March 2021
        ("ddd, MMM d 'yy", d => $"{Day(d)[..3]}, {Month(d)[..3]} {d.Day} '{Yy(d)}"),     // Wed, Mar 3 '21
        ("dd/MM/yyyy", d => $"{d.Day:00}/{d.Month:00}/{d.Year}"),                        // 03/03/2021
        ("yyyy.M.d", d => $"{d.Year}.{d.Month}.{d.Day}"),                                // 2021.3.3
        ("MMMM dth, yyyy", d => $"{Month(d)} {Ordinal(d.Day)}, {d.Year}"),               // March 3rd, 2021
        ("d-MMM-yy", d => $"{d.Day}-{Month(d)[..3].ToUpperInvariant()}-{Yy(d)}"),        // 3-MAR-21
        ("dddd, MMMM d, yyyy", d => $"{Day(d)}, {Month(d)} {d.Day}, {d.Year}"),          // Wednesday, March 3, 2021
        ("yyyy-MM-dd", d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),     // 2021-03-03
        ("yyyyMMdd", d => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture)),         // 20210303
        ("d.M.yyyy", d => $"{d.Day}.{d.Month}.{d.Year}"),                                // 3.3.2021
        ("MMM dd, yyyy", d => $"{Month(d)[..3]} {d.Day:00}, {d.Year}"),                  // Mar 03, 2021
        ("the dth of MMMM yyyy", d => $"the {Ordinal(d.Day)} of {Month(d)} {d.Year}"),   // the 3rd of March 2021
        ("dd mmm yyyy", d => $"{d.Day:00} {Month(d)[..3].ToLowerInvariant()} {d.Year}"), // 03 mar 2021
    ];

    /// <summary>Names of the formats, in index order.</summary>
    public static IReadOnlyList<string> Names { get; } = Formats.Select(f => f.Name).ToArray();

    /// <summary>Number of formats.</summary>
    public static int Count => Formats.Length;

    /// <summary>Writes <paramref name="date"/> in format <paramref name="formatIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="Count"/>).</exception>
    public static string Render(DateOnly date, int formatIndex)
    {
        if (formatIndex < 0 || formatIndex >= Formats.Length)
            throw new ArgumentOutOfRangeException(nameof(formatIndex), formatIndex, $"formatIndex must be in [0, {Formats.Length}) (got {formatIndex}).");
        return Formats[formatIndex].Render(date);
    }

    /// <summary>The ISO 8601 calendar date, <c>yyyy-MM-dd</c>: the task's target.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Month(DateOnly d) => MonthNames[d.Month - 1];

    private static string Day(DateOnly d) => DayNames[(int)d.DayOfWeek];

    private static string Yy(DateOnly d) => (d.Year % 100).ToString("00", CultureInfo.InvariantCulture);

    private static string Ordinal(int day) => day + (day % 100 is 11 or 12 or 13 ? "th" : (day % 10) switch
    {
        1 => "st",
        2 => "nd",
        3 => "rd",
        _ => "th",
    });
}
