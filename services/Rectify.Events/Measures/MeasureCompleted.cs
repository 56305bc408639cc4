namespace Rectify.Events.Measures;

/// <summary>Reported complete by the village or township; awaits verification (销号).</summary>
/// <remarks><c>On</c>: the date it happened when entered as history of an ended campaign (OccurredAt is when it was entered); null: the day of OccurredAt.</remarks>
public sealed record MeasureCompleted(MeasureSnapshot Measure, DateTimeOffset OccurredAt, DateOnly? On = null) : IIntegrationEvent;
