using Google.Protobuf;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>A revision of a report as stored: the searchable columns, and the whole report as protobuf JSON.</summary>
public sealed class ReportRow
{
    public string Id { get; set; } = "";
    public int Kind { get; set; }
    public string UnitCode { get; set; } = "";
    public string UnitName { get; set; } = "";
    public string CountyCode { get; set; } = "";
    public string Period { get; set; } = "";
    public int Revision { get; set; }
    public int Status { get; set; }
    public int? Timeliness { get; set; }
    public DateOnly? SubmittedOn { get; set; }
    public string Content { get; set; } = "";
    public string? ReturnReason { get; set; }
    public string? ReviewedBy { get; set; }
    public string UpdatedBy { get; set; } = "";
    public DateTime UpdatedAt { get; set; }

    public ReportStatus State => (ReportStatus)Status;

    /// <summary>The report proto with the columns laid over it: they are what changes after a push.</summary>
    public Report ToProto() => ToProto(JsonParser.Default.Parse<Report>(Content));

    /// <summary>The columns laid over <paramref name="report"/>, the content just written: a push answers without parsing back what it made.</summary>
    public Report ToProto(Report report)
    {
        report.Id = Id;
        report.Revision = Revision;
        report.Status = State;
        report.Timeliness = (Timeliness)(Timeliness ?? 0);
        report.SubmittedOn = SubmittedOn?.ToProto();
        report.ReturnReason = ReturnReason ?? "";
        report.ReviewedBy = ReviewedBy ?? "";
        report.UpdatedAt = new DateTimeOffset(UpdatedAt.AsUtc()).ToProto();
        return report;
    }
}
