namespace Rectify.Events.Organizations;

/// <summary>Code ceased to exist by merging into IntoCode.</summary>
public sealed record UnitMerged(string Code, string IntoCode, DateOnly EffectiveOn, DateTimeOffset OccurredAt) : IIntegrationEvent;
