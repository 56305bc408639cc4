namespace Rectify.Events.Assessment;

/// <summary>
/// A target failed its acceptance (验收) or a look-back (回头看) and is sent back (回炉):
/// its measures are to be reopened with NewDeadline. Stage is "acceptance" or "look-back".
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
    DateTimeOffset OccurredAt) : IIntegrationEvent;
