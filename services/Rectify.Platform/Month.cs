using Rectify.Platform.Errors;

namespace Rectify.Platform;

/// <summary>A calendar month in Shanghai: a reporting period (月报期), written "YYYY-MM".</summary>
public readonly record struct Month(int Year, int Number) : IComparable<Month>
{
    public DateOnly FirstDay => new(Year, Number, 1);
    public DateOnly LastDay => new(Year, Number, DateTime.DaysInMonth(Year, Number));
    public Month Next => Of(FirstDay.AddMonths(1));
    public Month Previous => Of(FirstDay.AddMonths(-1));

    public static Month Of(DateOnly date) => new(date.Year, date.Month);

    /// <summary>
    /// The months a request may name. Reporting began after 2000; the upper bound leaves the calendar arithmetic
    /// (the month after, a deadline months later) far from the end of DateOnly, where 9999-12 overflowed into Internal.
    /// </summary>
    public static readonly Month Earliest = new(2000, 1), Latest = new(2999, 12);

    /// <summary>Reads a proto period, adding a violation when it is not a month within <see cref="Earliest"/>..<see cref="Latest"/>.</summary>
    public static Month? From(Violations v, string field, Common.V1.Period? period)
    {
        if (period is null) { v.Add(field, "is required"); return null; }
        if (period.Month is < 1 or > 12) { v.Add(field, $"{period.Year:D4}-{period.Month:D2} is not a month"); return null; }
        if (period.Year < Earliest.Year || period.Year > Latest.Year) { v.Add(field, $"{period.Year:D4}-{period.Month:D2} is outside {Earliest}..{Latest}"); return null; }
        return new Month(period.Year, period.Month);
    }

    /// <summary>Reads "YYYY-MM", the form <see cref="ToString"/> writes and the databases store.</summary>
    public static Month Parse(string text) =>
        text.Length == 7 && text[4] == '-' && int.TryParse(text.AsSpan(0, 4), out var year) && int.TryParse(text.AsSpan(5, 2), out var number) && number is >= 1 and <= 12
            ? new Month(year, number)
            : throw new FormatException($"'{text}' is not a month written YYYY-MM.");

    public Common.V1.Period ToProto() => new() { Year = Year, Month = Number };

    public int CompareTo(Month other) => (Year * 12 + Number).CompareTo(other.Year * 12 + other.Number);
    public static bool operator <(Month a, Month b) => a.CompareTo(b) < 0;
    public static bool operator >(Month a, Month b) => a.CompareTo(b) > 0;
    public static bool operator <=(Month a, Month b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Month a, Month b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Year:D4}-{Number:D2}";
}
