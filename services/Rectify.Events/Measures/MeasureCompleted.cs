namespace Rectify.Events.Measures;

/// <summary>Reported complete by the village or township; awaits verification (销号).</summary>
public sealed record MeasureCompleted(MeasureSnapshot Measure, DateTimeOffset OccurredAt) : IIntegrationEvent;
