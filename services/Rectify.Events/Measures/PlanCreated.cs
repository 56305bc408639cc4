namespace Rectify.Events.Measures;

/// <summary>
/// A target's plan was made; Phases are its campaign phases in order (集中整顿 → 自查评估 → 巩固提高 …).
/// StartsOn and CampaignEndsOn came later: an event written before them reads them as null (the phase rule then
/// starts the first phase at the designation and ends the campaign on 31 December of its year).
/// </summary>
public sealed record PlanCreated(string PlanId, string VillageCode, int CampaignYear, int Problems, int Measures, IReadOnlyList<PlanPhase> Phases, DateTimeOffset OccurredAt,
    DateOnly? StartsOn = null, DateOnly? CampaignEndsOn = null) : IIntegrationEvent;

public sealed record PlanPhase(string Name, DateOnly EndsOn);
