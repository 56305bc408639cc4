namespace Rectify.Events.Assessment;

/// <summary>A target passed its acceptance (转化); look-backs follow on the campaign's schedule.</summary>
public sealed record TargetTransformed(string CampaignId, int CampaignYear, string VillageCode, string VillageName, double Score, DateOnly AcceptedOn, DateTimeOffset OccurredAt) : IIntegrationEvent;
