namespace Rectify.Events.Measures;

/// <summary>Sent back (回炉) with a reason; Measure carries the new deadline.</summary>
/// <remarks><c>On</c>: the date it happened when entered as history of an ended campaign (OccurredAt is when it was entered); null: the day of OccurredAt.</remarks>
public sealed record MeasureReopened(MeasureSnapshot Measure, string Reason, DateOnly PreviousDeadline, DateTimeOffset OccurredAt, DateOnly? On = null) : IIntegrationEvent;
