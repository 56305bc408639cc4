namespace Rectify.Events.Measures;

public sealed record MeasureCreated(MeasureSnapshot Measure, DateTimeOffset OccurredAt) : IIntegrationEvent;
