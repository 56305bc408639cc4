using System.Text.Json.Serialization;

namespace Rectify.Events.Reporting;

public sealed record ReportAccepted(string ReportId, ReportKind Kind, string UnitCode, string CountyCode, string Period, int Revision, string AcceptedBy, DateTimeOffset OccurredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Version = 0) : IIntegrationEvent;
