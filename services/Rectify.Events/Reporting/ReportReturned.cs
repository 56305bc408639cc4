using System.Text.Json.Serialization;

namespace Rectify.Events.Reporting;

/// <summary>退回: the report goes back to its unit with a reason; the next push is a new revision.</summary>
public sealed record ReportReturned(string ReportId, ReportKind Kind, string UnitCode, string CountyCode, string Period, int Revision, string Reason, string ReturnedBy, DateTimeOffset OccurredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Version = 0) : IIntegrationEvent;
