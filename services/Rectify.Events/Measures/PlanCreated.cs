namespace Rectify.Events.Measures;

/// <summary>A target's plan was made; Phases are its campaign phases in order (集中整顿 → 自查评估 → 巩固提高 …).</summary>
public sealed record PlanCreated(string PlanId, string VillageCode, int CampaignYear, int Problems, int Measures, IReadOnlyList<PlanPhase> Phases, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PlanPhase(string Name, DateOnly EndsOn);
