using Rectify.Measures.V1;

namespace Rectify.Measures.Ledger;

/// <summary>The ledger's rules of state: which statuses are open, what overdue means, which transitions exist.</summary>
public static class MeasureRules
{
    /// <summary>Statuses still owing work; overdue applies only to these.</summary>
    public static readonly int[] OpenStatuses = [(int)MeasureStatus.NotStarted, (int)MeasureStatus.InProgress, (int)MeasureStatus.Reopened];

    public static bool IsOpen(MeasureStatus status) => status is MeasureStatus.NotStarted or MeasureStatus.InProgress or MeasureStatus.Reopened;

    /// <summary>Derived, never typed in: the deadline has passed in Shanghai and the measure is neither completed nor closed.</summary>
    public static bool IsOverdue(MeasureStatus status, DateOnly deadline, DateOnly today) => IsOpen(status) && today > deadline;

    public static int DaysOverdue(MeasureStatus status, DateOnly deadline, DateOnly today) =>
        IsOverdue(status, deadline, today) ? today.DayNumber - deadline.DayNumber : 0;

    public static bool CanRecordProgress(MeasureStatus status) => IsOpen(status);

    public static bool CanComplete(MeasureStatus status) => status is MeasureStatus.InProgress or MeasureStatus.Reopened;

    public static bool CanClose(MeasureStatus status) => status == MeasureStatus.Completed;

    public static bool CanReopen(MeasureStatus status) => status is MeasureStatus.Completed or MeasureStatus.Closed;
}
