using System.Text.Json.Serialization;

namespace Rectify.Events.Assessment;

/// <summary>A target passed its acceptance (转化); look-backs follow on the campaign's schedule.</summary>
/// <remarks><c>Version</c>: the target's version after the change (+1 per review); 0 on an event written before versions.</remarks>
public sealed record TargetTransformed(string CampaignId, int CampaignYear, string VillageCode, string VillageName, double Score, DateOnly AcceptedOn, DateTimeOffset OccurredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Version = 0) : IIntegrationEvent;
