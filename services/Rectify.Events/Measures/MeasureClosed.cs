namespace Rectify.Events.Measures;

/// <summary>Verified and closed (销号) by the township or above.</summary>
/// <remarks><c>On</c>: the date it happened when entered as history of an ended campaign (OccurredAt is when it was entered); null: the day of OccurredAt.</remarks>
public sealed record MeasureClosed(MeasureSnapshot Measure, string Verifier, DateTimeOffset OccurredAt, DateOnly? On = null) : IIntegrationEvent;
