namespace Rectify.Events.Measures;

/// <summary>One overdue occurrence: the day after the deadline, then every 7 days while still open.</summary>
public sealed record MeasureOverdue(MeasureSnapshot Measure, int DaysOverdue, DateOnly ScanDate, string OccurrenceKey, DateTimeOffset OccurredAt) : IIntegrationEvent;
