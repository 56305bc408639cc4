namespace Rectify.Events.Measures;

/// <summary>Sent back (回炉) with a reason; Measure carries the new deadline.</summary>
public sealed record MeasureReopened(MeasureSnapshot Measure, string Reason, DateOnly PreviousDeadline, DateTimeOffset OccurredAt) : IIntegrationEvent;
