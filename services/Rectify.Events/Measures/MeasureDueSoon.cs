namespace Rectify.Events.Measures;

/// <summary>One reminder occurrence (7, 3 or 1 days before the deadline); OccurrenceKey is unique per occurrence.</summary>
public sealed record MeasureDueSoon(MeasureSnapshot Measure, int DaysLeft, DateOnly ScanDate, string OccurrenceKey, DateTimeOffset OccurredAt) : IIntegrationEvent;
