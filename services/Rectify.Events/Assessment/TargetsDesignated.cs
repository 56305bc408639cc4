using System.Text.Json.Serialization;

namespace Rectify.Events.Assessment;

/// <summary>
/// The county confirmed these branches as the campaign's targets (整顿对象).
/// Published by the assessment service after three-level review; the measures
/// service accepts plans only for designated targets.
/// </summary>
/// <remarks><c>EnteredAsHistory</c>: an earlier year's designation recorded now (not chased, not announced as news).
/// <c>DecidedOn</c>: the day such a designation was decided, the target's designation date; null for a live confirmation,
/// which is designated on OccurredAt's date in Shanghai (and on events written before it was carried).</remarks>
public sealed record TargetsDesignated(
    string CountyCode,
    int CampaignYear,
    DateOnly CampaignEndsOn,
    IReadOnlyList<DesignatedTarget> Targets,
    DateTimeOffset OccurredAt,
    bool EnteredAsHistory = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? DecidedOn = null) : IIntegrationEvent;

/// <summary>A designated village with the names ledgers and notifications show.</summary>
/// <remarks><c>Version</c>: the target's version in the assessment service (1 when designated); 0 on an event written before versions.</remarks>
public sealed record DesignatedTarget(string VillageCode, string VillageName, string TownshipName, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Version = 0);
