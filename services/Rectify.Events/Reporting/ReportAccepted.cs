namespace Rectify.Events.Reporting;

public sealed record ReportAccepted(string ReportId, ReportKind Kind, string UnitCode, string CountyCode, string Period, int Revision, string AcceptedBy, DateTimeOffset OccurredAt) : IIntegrationEvent;
