using System.Text.Json.Serialization;

namespace Rectify.Events.Assessment;

/// <summary>
/// A target failed its acceptance (验收) or a look-back (回头看) and is sent back (回炉):
/// its measures are to be reopened with NewDeadline. Stage is "acceptance" or "look-back".
/// Version: the target's version after the change (+1 per review); 0 on an event written before versions.
/// </summary>
public sealed record AcceptanceFailed(
    string CampaignId,
    string CountyCode,
    int CampaignYear,
    string VillageCode,
    string VillageName,
    string Stage,
    double Score,
    double DissatisfiedShare,
    IReadOnlyList<string> Reasons,
    DateOnly NewDeadline,
    DateTimeOffset OccurredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Version = 0) : IIntegrationEvent;
