using System.Text.Json.Serialization;

namespace Rectify.Events.Measures;

/// <summary>
/// What a measure event says about the measure, so a consumer (notifications,
/// dashboards) can act without calling back: where, what, who, by when.
/// Status travels as its number (1 not started … 5 reopened), as in the proto's MeasureStatus.
/// Version: the measure's version after the change, counted by the measures service (1 at creation, +1 per change), so a
/// consumer keeps the newest state whatever order it receives events in; 0 on an event written before versions (not written then).
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
    MeasureStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Version = 0);
