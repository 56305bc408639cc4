namespace Rectify.Platform;

/// <summary>
/// Section Rectify:Reporting: the monthly reporting calendar, like DHIS2's
/// timelyDays / expiryDays. Shared by the reporting service, which enforces it,
/// and the gateway, which counts by it.
/// </summary>
public sealed class ReportingOptions
{
    public const string Section = "Rectify:Reporting";

    /// <summary>On time when submitted by this day of the next month.</summary>
    public int DueDay { get; set; } = 5;
    /// <summary>Accepted late until this day of the next month; locked after, unless the county grants an exception (补报).</summary>
    public int LockDay { get; set; } = 15;
    /// <summary>Days before the due day when a township that has not submitted is reminded (催报).</summary>
    public int[] RemindDaysBefore { get; set; } = [3, 1];
    public bool ScheduleScans { get; set; } = true;
    public TimeOnly DailyScanAt { get; set; } = new(8, 0);
}

/// <summary>When a month's report is due and when it locks; whether a submission, or its absence, is on time, late or missing.</summary>
public sealed class ReportingCalendar(ReportingOptions options)
{
    public DateOnly DueOn(Month month) => month.Next.FirstDay.AddDays(options.DueDay - 1);

    public DateOnly LockedAfter(Month month) => month.Next.FirstDay.AddDays(options.LockDay - 1);

    /// <summary>On time (true) or late (false).</summary>
    public bool OnTime(Month month, DateOnly submittedOn) => submittedOn <= DueOn(month);

    /// <summary>Not submitted and past the due day.</summary>
    public bool Missing(Month month, DateOnly today) => today > DueOn(month);

    /// <summary>Past the lock day nothing more is taken, unless an exception (补报) runs until today or later.</summary>
    public bool IsLocked(Month month, DateOnly today, DateOnly? exceptionUntil) =>
        today > LockedAfter(month) && !(exceptionUntil is { } until && today <= until);

    public IReadOnlyList<int> RemindDaysBefore => options.RemindDaysBefore;
}
