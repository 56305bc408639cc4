using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Rectify.Common.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Reporting.Reminders;
using Rectify.Reporting.Reports;
using Rectify.Reporting.V1;

namespace Rectify.Reporting;

/// <summary>The gRPC face of the reporting service.</summary>
[Authorize]
public sealed class ReportingApi(ReportService reports, ReminderScan reminders, ReportSnapshot snapshot, MonthlyReportDocument monthlyReport) : ReportingService.ReportingServiceBase
{
    public override Task<Report> PushReport(PushReportRequest request, ServerCallContext context) =>
        reports.PushAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Report> GetReport(GetReportRequest request, ServerCallContext context) =>
        reports.GetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListReportsResponse> ListReports(ListReportsRequest request, ServerCallContext context) =>
        reports.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Report> AcceptReport(ReviewReportRequest request, ServerCallContext context) =>
        reports.AcceptAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Report> ReturnReport(ReviewReportRequest request, ServerCallContext context) =>
        reports.ReturnAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ReportingException> GrantException(GrantExceptionRequest request, ServerCallContext context) =>
        reports.GrantExceptionAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Report> SubmitCountySummary(SubmitCountySummaryRequest request, ServerCallContext context) =>
        reports.SubmitCountySummaryAsync(context.Caller(), request, context.CancellationToken);

    public override async Task<RunReminderScanResponse> RunReminderScan(RunReminderScanRequest request, ServerCallContext context)
    {
        context.Caller().EnsureCountyWork("The reminder scan");
        var (dueSoon, missing) = await reminders.RunAsync(context.CancellationToken);
        return new RunReminderScanResponse { DueSoon = dueSoon, Missing = missing };
    }

    public override Task ExportMonthlyReport(ExportMonthlyReportRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context) =>
        monthlyReport.ExportAsync(context.Caller(), request, chunk => responseStream.WriteAsync(chunk, context.CancellationToken), context.CancellationToken);

    public override Task SnapshotReports(SnapshotReportsRequest request, IServerStreamWriter<ReportState> responseStream, ServerCallContext context) =>
        snapshot.StreamAsync(context.Caller(), request, report => responseStream.WriteAsync(report, context.CancellationToken), context.CancellationToken);
}
