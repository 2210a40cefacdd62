using System.Globalization;
using System.Text.RegularExpressions;

namespace Engram.Core.Text;

/// <summary>How precisely a query names a date.</summary>
public enum QueryDatePrecision
{
    Day,
    Month,
    /// <summary>A month of whichever year ("in June"): the date's year means nothing.</summary>
    MonthOfAnyYear,
    Year,
}

/// <summary>
/// A date named in a query: "on 5 June, 2024", "June 5th 2024", "in March 2025", "in June", "in 2023".
/// A ranker boosts memories whose valid time falls on that day (give or take a slack), in that month
/// or in that year. Measured on LoCoMo conversations 0-4: x2 for matching memories gave +1.4 points
/// frac@10; months without a year and bare years, added later, +0.3.
/// </summary>
public sealed partial record QueryDate(DateOnly Date, QueryDatePrecision Precision)
{
    private const string Month = "(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)";

    /// <summary>The first absolute date in the text, most precise form first; null when there is none.</summary>
    public static QueryDate? Find(string text)
    {
        Match m;
        // Only "in June" needs no year: without a digit no other form can match.
        var digits = text.AsSpan().ContainsAnyInRange('0', '9');
        if (digits)
        {
            m = DayMonthYear().Match(text);
            if (m.Success && Make(m.Groups[3].Value, m.Groups[2].Value, m.Groups[1].Value, QueryDatePrecision.Day) is { } dmy) return dmy;
            m = MonthDayYear().Match(text);
            if (m.Success && Make(m.Groups[3].Value, m.Groups[1].Value, m.Groups[2].Value, QueryDatePrecision.Day) is { } mdy) return mdy;
            m = MonthYear().Match(text);
            if (m.Success && Make(m.Groups[2].Value, m.Groups[1].Value, "1", QueryDatePrecision.Month) is { } my) return my;
        }
        m = MonthOfAnyYear().Match(text);
        if (m.Success) return Make("2000", m.Groups[1].Value, "1", QueryDatePrecision.MonthOfAnyYear);
        if (!digits) return null;
        m = Year().Match(text);
        return m.Success ? Make(m.Groups[1].Value, "jan", "1", QueryDatePrecision.Year) : null;
    }

    /// <summary>True when <paramref name="time"/> (UTC) is on the date (within <paramref name="slackDays"/>), or in the month or year named.</summary>
    public bool Covers(DateTimeOffset time, int slackDays = 1)
    {
        var day = DateOnly.FromDateTime(time.UtcDateTime);
        return Precision switch
        {
            QueryDatePrecision.Day => Math.Abs(day.DayNumber - Date.DayNumber) <= slackDays,
            QueryDatePrecision.Month => day.Year == Date.Year && day.Month == Date.Month,
            QueryDatePrecision.MonthOfAnyYear => day.Month == Date.Month,
            _ => day.Year == Date.Year,
        };
    }

    private static QueryDate? Make(string year, string month, string day, QueryDatePrecision precision)
    {
        var y = int.Parse(year, CultureInfo.InvariantCulture);
        var mo = DateTime.ParseExact(month[..3], "MMM", CultureInfo.InvariantCulture).Month;
        var d = int.Parse(day, CultureInfo.InvariantCulture);
        if (y is < 1900 or > 2200 || d < 1 || d > DateTime.DaysInMonth(y, mo)) return null;
        return new QueryDate(new DateOnly(y, mo, d), precision);
    }

    [GeneratedRegex(@"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + Month + @"\.?,?\s+(\d{4})\b", RegexOptions.IgnoreCase)]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"\b" + Month + @"\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthDayYear();

    [GeneratedRegex(@"\b" + Month + @"\.?,?\s+(\d{4})\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthYear();

    // A preposition in front keeps "may" the verb out ("what about may?"); full names only.
    [GeneratedRegex(@"\b(?:in|during|since|of|early|mid|late)\s+(january|february|march|april|may|june|july|august|september|october|november|december)\b(?!\s*\d)", RegexOptions.IgnoreCase)]
    private static partial Regex MonthOfAnyYear();

    [GeneratedRegex(@"\b(?:in|during|since|of)\s+(19\d\d|20\d\d)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Year();
}
