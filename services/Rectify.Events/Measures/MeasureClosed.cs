namespace Rectify.Events.Measures;

/// <summary>Verified and closed (销号) by the township or above.</summary>
public sealed record MeasureClosed(MeasureSnapshot Measure, string Verifier, DateTimeOffset OccurredAt) : IIntegrationEvent;
