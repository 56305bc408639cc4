namespace Rectify.Events.Measures;

/// <summary>
/// What a measure event says about the measure, so a consumer (notifications,
/// dashboards) can act without calling back: where, what, who, by when.
/// Status travels as its number (1 not started … 5 reopened), as in the proto's MeasureStatus.
/// </summary>
public sealed record MeasureSnapshot(
    string MeasureId,
    string PlanId,
    string VillageCode,
    string VillageName,
    int CampaignYear,
    string CategoryCode,
    string Description,
    IReadOnlyList<string> ResponsiblePersons,
    DateOnly Deadline,
    bool Ongoing,
    MeasureStatus Status);
