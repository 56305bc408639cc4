using Rectify.Kernel;
using System.Globalization;
using Rectify.Platform;

namespace Rectify.Notifications.Contacts;

/// <summary>
/// A contact's quiet hours on the Shanghai clock: from <see cref="From"/> (inclusive) to <see cref="Until"/>
/// (exclusive), running past midnight when From is later than Until (22:00-07:00). Nothing goes out inside them.
/// </summary>
public readonly record struct QuietHours(TimeOnly From, TimeOnly Until)
{
    /// <summary>How a time of day is written in requests and stored (quiet_from, quiet_until).</summary>
    public const string TimeFormat = "HH:mm";

    public static bool TryParseTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    /// <summary>The stored pair; none unless both ends are set (stored values were checked when written).</summary>
    public static QuietHours? Parse(string? from, string? until) =>
        from is null || until is null
            ? null
            : new QuietHours(TimeOnly.ParseExact(from, TimeFormat, CultureInfo.InvariantCulture), TimeOnly.ParseExact(until, TimeFormat, CultureInfo.InvariantCulture));

    public bool Contains(TimeOnly time) => From <= Until ? time >= From && time < Until : time >= From || time < Until;

    /// <summary>The next moment at or after <paramref name="now"/> when the Shanghai clock reads <see cref="Until"/>.</summary>
    public DateTimeOffset NextEnd(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, ShanghaiTime.Zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (TimeOnly.FromDateTime(local.DateTime) >= Until) day = day.AddDays(1); // past today's end: tomorrow's
        return ShanghaiTime.StartOf(day).Add(Until.ToTimeSpan());
    }

    /// <summary>When something due at <paramref name="now"/> may go out: now, or the end of the quiet hours it falls in.</summary>
    public DateTimeOffset SendableAt(DateTimeOffset now) =>
        Contains(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, ShanghaiTime.Zone).DateTime)) ? NextEnd(now) : now;
}
