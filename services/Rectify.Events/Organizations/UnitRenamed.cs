namespace Rectify.Events.Organizations;

public sealed record UnitRenamed(string Code, string OldName, string NewName, DateOnly EffectiveOn, DateTimeOffset OccurredAt) : IIntegrationEvent;
