namespace Rectify.Events.Assessment;

/// <summary>
/// The county confirmed these branches as the campaign's targets (整顿对象).
/// Published by the assessment service after three-level review; the measures
/// service accepts plans only for designated targets.
/// </summary>
public sealed record TargetsDesignated(
    string CountyCode,
    int CampaignYear,
    DateOnly CampaignEndsOn,
    IReadOnlyList<DesignatedTarget> Targets,
    DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>A designated village with the names ledgers and notifications show.</summary>
public sealed record DesignatedTarget(string VillageCode, string VillageName, string TownshipName);
