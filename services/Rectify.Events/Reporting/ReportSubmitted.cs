using System.Text.Json.Serialization;

namespace Rectify.Events.Reporting;

/// <summary>
/// A monthly report reached the unit above: a township's report or a county summary; Period is "YYYY-MM";
/// Timeliness is on time or late. Kind and Timeliness travel as their numbers, as in the proto's enums.
/// </summary>
public sealed record ReportSubmitted(
    string ReportId, ReportKind Kind, string UnitCode, string CountyCode, string Period, int Revision, Timeliness Timeliness,
    DateOnly SubmittedOn, ReportIndicators Totals, int Villages, DateTimeOffset OccurredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Version = 0) : IIntegrationEvent;
