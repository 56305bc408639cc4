namespace Rectify.Events.Measures;

/// <summary>Overdue 30 days: escalated to the county (CountyCode).</summary>
public sealed record MeasureEscalated(MeasureSnapshot Measure, int DaysOverdue, string CountyCode, DateOnly ScanDate, string OccurrenceKey, DateTimeOffset OccurredAt) : IIntegrationEvent;
