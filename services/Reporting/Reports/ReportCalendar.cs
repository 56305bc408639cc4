using Rectify.Platform;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>When a month's report is due and when it locks; whether a submission or its absence is on time, late or missing.</summary>
public sealed class ReportCalendar(ReportingOptions options)
{
    public DateOnly DueOn(Month month) => month.Next.FirstDay.AddDays(options.DueDay - 1);

    public DateOnly LockedAfter(Month month) => month.Next.FirstDay.AddDays(options.LockDay - 1);

    public Timeliness OfSubmission(Month month, DateOnly submittedOn) => submittedOn <= DueOn(month) ? Timeliness.OnTime : Timeliness.Late;

    public Timeliness OfAbsence(Month month, DateOnly today) => today <= DueOn(month) ? Timeliness.Pending : Timeliness.Missing;

    /// <summary>Past the lock day nothing more is taken, unless an exception (补报) runs until today or later.</summary>
    public bool IsLocked(Month month, DateOnly today, DateOnly? exceptionUntil) =>
        today > LockedAfter(month) && !(exceptionUntil is { } until && today <= until);

    public IReadOnlyList<int> RemindDaysBefore => options.RemindDaysBefore;
}
