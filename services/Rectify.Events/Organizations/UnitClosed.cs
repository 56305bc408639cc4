namespace Rectify.Events.Organizations;

/// <summary>A unit was closed (撤销); it leaves the denominators from this date.</summary>
public sealed record UnitClosed(string Code, DateOnly ClosedOn, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;
