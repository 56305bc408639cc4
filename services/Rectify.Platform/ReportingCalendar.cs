namespace Rectify.Platform;

/// <summary>
/// The one period rule of monthly reporting, used by the reporting service (push, submit, county summary, 补报) and
/// by the gateway (expected, on time, late, missing). For month M:
/// a township keeps a draft from M's first day; it submits once M is over (from the first day of M+1), on time by
/// day <see cref="ReportingOptions.DueDay"/> of M+1, late until day <see cref="ReportingOptions.LockDay"/>, then
/// locked unless the county opened an exception. A county's summary for M is submitted in the same months as its
/// townships' reports: once M is over (and when every township's report is accepted or recorded missing).
/// Not submitted: pending until the due day, missing after it.
/// </summary>
public sealed class ReportingCalendar(ReportingOptions options)
{
    public DateOnly DueOn(Month month) => month.Next.FirstDay.AddDays(options.DueDay - 1);

    public DateOnly LockedAfter(Month month) => month.Next.FirstDay.AddDays(options.LockDay - 1);

    /// <summary>The first day a month's report (or county summary) may be submitted: the day after the month ends.</summary>
    public static DateOnly SubmissionsOpenOn(Month month) => month.Next.FirstDay;

    /// <summary>The month has ended in Shanghai: it can be reported on, summed up and made up (补报).</summary>
    public static bool IsOver(Month month, DateOnly today) => today > month.LastDay;

    /// <summary>On time (true) or late (false).</summary>
    public bool OnTime(Month month, DateOnly submittedOn) => submittedOn <= DueOn(month);

    /// <summary>Not submitted and past the due day.</summary>
    public bool Missing(Month month, DateOnly today) => today > DueOn(month);

    /// <summary>Past the lock day nothing more is taken, unless an exception (补报) runs until today or later.</summary>
    public bool IsLocked(Month month, DateOnly today, DateOnly? exceptionUntil) =>
        today > LockedAfter(month) && !(exceptionUntil is { } until && today <= until);

    /// <summary>A township's draft: from the month's first day until its lock (or while an exception runs).</summary>
    public PeriodOpening ForDraft(Month month, DateOnly today, DateOnly? exceptionUntil) =>
        month > Month.Of(today) ? PeriodOpening.InFuture
        : IsLocked(month, today, exceptionUntil) ? PeriodOpening.Locked
        : PeriodOpening.Open;

    /// <summary>A township's submission: once the month is over, until its lock (or while an exception runs).</summary>
    public PeriodOpening ForSubmission(Month month, DateOnly today, DateOnly? exceptionUntil) =>
        month > Month.Of(today) ? PeriodOpening.InFuture
        : !IsOver(month, today) ? PeriodOpening.NotOver
        : IsLocked(month, today, exceptionUntil) ? PeriodOpening.Locked
        : PeriodOpening.Open;

    /// <summary>
    /// A county's summary: in the same months as its townships' submissions, once the month is over. It is not locked:
    /// it waits for its townships, and a township counts as missing only after the lock day.
    /// </summary>
    public static PeriodOpening ForCountySummary(Month month, DateOnly today) =>
        month > Month.Of(today) ? PeriodOpening.InFuture
        : !IsOver(month, today) ? PeriodOpening.NotOver
        : PeriodOpening.Open;

    public IReadOnlyList<int> RemindDaysBefore => options.RemindDaysBefore;
}
