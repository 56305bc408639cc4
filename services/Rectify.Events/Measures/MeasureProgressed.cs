namespace Rectify.Events.Measures;

public sealed record MeasureProgressed(MeasureSnapshot Measure, DateOnly On, int Percent, DateTimeOffset OccurredAt) : IIntegrationEvent;
