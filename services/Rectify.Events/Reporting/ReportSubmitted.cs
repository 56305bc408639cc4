namespace Rectify.Events.Reporting;

/// <summary>
/// A monthly report reached the unit above. Kind is the proto's ReportKind (1 township, 2 county summary);
/// Period is "YYYY-MM"; Timeliness the proto's number (2 on time, 3 late).
/// </summary>
public sealed record ReportSubmitted(
    string ReportId, int Kind, string UnitCode, string CountyCode, string Period, int Revision, int Timeliness,
    DateOnly SubmittedOn, ReportIndicators Totals, int Villages, DateTimeOffset OccurredAt) : IIntegrationEvent;
