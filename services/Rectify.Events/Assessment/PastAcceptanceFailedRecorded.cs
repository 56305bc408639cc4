namespace Rectify.Events.Assessment;

/// <summary>
/// An earlier campaign's target entered as history with a failed acceptance (验收未通过（回炉）): its status is Reopened from
/// ReviewedOn. Not AcceptanceFailed, whose consumers act on a review held now (reopen the measures, tell the township).
/// </summary>
/// <remarks><c>Version</c>: the target's version after the change.</remarks>
public sealed record PastAcceptanceFailedRecorded(string CampaignId, int CampaignYear, string VillageCode, string VillageName, DateOnly ReviewedOn, DateTimeOffset OccurredAt, long Version)
    : IIntegrationEvent;
