namespace Rectify.Events.Measures;

public sealed record PlanCreated(string PlanId, string VillageCode, int CampaignYear, int Problems, int Measures, DateTimeOffset OccurredAt) : IIntegrationEvent;
