using Dapper;
using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;
using MeasureStatus = Rectify.Events.Measures.MeasureStatus;

namespace Rectify.Gateway.ReadModel;

/// <summary>
/// The read model's counts for a unit's subtree and a campaign year beside the services' own: targets by status (the
/// assessment service's snapshot), measures by status and overdue today (the measures service's ledger counts), reports
/// by status and timeliness (the reporting service's snapshot). The gateway's side is counted in its read-model tables,
/// the durable copy the dashboard's memory is loaded from.
/// </summary>
public sealed class Reconciler(Database<GatewayModule> database, AssessmentService.AssessmentServiceClient assessment, MeasureService.MeasureServiceClient measures,
    ReportingService.ReportingServiceClient reporting, TimeProvider clock)
{
    private static readonly TimeSpan StreamDeadline = TimeSpan.FromMinutes(10);

    private sealed class Counts
    {
        public long Total { get; set; }
        public long Designated { get; set; }
        public long Transformed { get; set; }
        public long Reopened { get; set; }
        public long Completed { get; set; }
        public long Closed { get; set; }
        public long Overdue { get; set; }
        public long Submitted { get; set; }
        public long Accepted { get; set; }
        public long Returned { get; set; }
        public long OnTime { get; set; }
        public long Late { get; set; }
    }

    public async Task<Reconciliation> ReconcileAsync(OrgCode unit, int year, CancellationToken ct)
    {
        var today = clock.Today();
        var (low, high) = unit.SubtreeRange;
        var (first, last) = (new Month(year, 1).ToString(), new Month(year, 12).ToString());
        var open = new[] { (int)MeasureStatus.NotStarted, (int)MeasureStatus.InProgress, (int)MeasureStatus.Reopened };
        var parameters = new { low, high, year, today, open, first, last };
        var (targets, ledger, reports) = await database.ReadAsync(async c => (
            await c.QuerySingleAsync<Counts>($"""
                SELECT COUNT(*) AS Total,
                       COALESCE(SUM(CASE WHEN status = {(int)TargetStatus.Designated} THEN 1 ELSE 0 END), 0) AS Designated,
                       COALESCE(SUM(CASE WHEN status = {(int)TargetStatus.Transformed} THEN 1 ELSE 0 END), 0) AS Transformed,
                       COALESCE(SUM(CASE WHEN status = {(int)TargetStatus.Reopened} THEN 1 ELSE 0 END), 0) AS Reopened
                FROM rm_targets WHERE village_code >= @low AND village_code <= @high AND campaign_year = @year
                """, parameters),
            await c.QuerySingleAsync<Counts>($"""
                SELECT COUNT(*) AS Total,
                       COALESCE(SUM(CASE WHEN status = {(int)MeasureStatus.Completed} THEN 1 ELSE 0 END), 0) AS Completed,
                       COALESCE(SUM(CASE WHEN status = {(int)MeasureStatus.Closed} THEN 1 ELSE 0 END), 0) AS Closed,
                       COALESCE(SUM(CASE WHEN {c.Sql.InList("status", "@open")} AND deadline < @today THEN 1 ELSE 0 END), 0) AS Overdue,
                       COALESCE(SUM(CASE WHEN status = {(int)MeasureStatus.Reopened} THEN 1 ELSE 0 END), 0) AS Reopened
                FROM rm_measures WHERE village_code >= @low AND village_code <= @high AND campaign_year = @year
                """, parameters),
            await c.QuerySingleAsync<Counts>($"""
                SELECT COUNT(*) AS Total,
                       COALESCE(SUM(CASE WHEN status = {(int)ReportStatus.Submitted} THEN 1 ELSE 0 END), 0) AS Submitted,
                       COALESCE(SUM(CASE WHEN status = {(int)ReportStatus.Accepted} THEN 1 ELSE 0 END), 0) AS Accepted,
                       COALESCE(SUM(CASE WHEN status = {(int)ReportStatus.Returned} THEN 1 ELSE 0 END), 0) AS Returned,
                       COALESCE(SUM(CASE WHEN timeliness = {(int)Events.Reporting.Timeliness.OnTime} THEN 1 ELSE 0 END), 0) AS OnTime,
                       COALESCE(SUM(CASE WHEN timeliness = {(int)Events.Reporting.Timeliness.Late} THEN 1 ELSE 0 END), 0) AS Late
                FROM rm_reports WHERE unit_code >= @low AND unit_code <= @high AND period >= @first AND period <= @last
                """, parameters)), ct);

        var deadline = DateTime.UtcNow + StreamDeadline;
        var theirTargets = new Counts();
        using (var stream = assessment.SnapshotTargets(new SnapshotTargetsRequest { ScopeCode = unit.Value }, deadline: deadline, cancellationToken: ct))
            await foreach (var target in stream.ResponseStream.ReadAllAsync(ct))
            {
                if (target.CampaignYear != year) continue;
                theirTargets.Total++;
                switch (target.Status)
                {
                    case TargetStatus.Transformed: theirTargets.Transformed++; break;
                    case TargetStatus.Reopened: theirTargets.Reopened++; break;
                    default: theirTargets.Designated++; break;
                }
            }
        var counts = (await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = unit.Value, CampaignYear = year, TotalsOnly = true }, deadline: deadline, cancellationToken: ct)).Total
            ?? new Measures.V1.Counts();
        var theirReports = new Counts();
        using (var stream = reporting.SnapshotReports(new SnapshotReportsRequest { ScopeCode = unit.Value }, deadline: deadline, cancellationToken: ct))
            await foreach (var report in stream.ResponseStream.ReadAllAsync(ct))
            {
                if (report.Period.Year != year) continue;
                theirReports.Total++;
                if (report.Status == ReportStatus.Submitted) theirReports.Submitted++;
                else if (report.Status == ReportStatus.Accepted) theirReports.Accepted++;
                else if (report.Status == ReportStatus.Returned) theirReports.Returned++;
                if (report.Timeliness == Timeliness.OnTime) theirReports.OnTime++;
                else if (report.Timeliness == Timeliness.Late) theirReports.Late++;
            }

        var result = new Reconciliation { UnitCode = unit.Value, CampaignYear = year, AsOf = today.ToProto() };
        void Add(string name, string source, long gateway, long service) =>
            result.Figures.Add(new Figure { Name = name, Source = source, Gateway = gateway, Service = service, Agrees = gateway == service });
        const string targetsSource = "assessment SnapshotTargets", ledgerSource = "measures GetLedgerCounts", reportsSource = "reporting SnapshotReports";
        Add("targets.total", targetsSource, targets.Total, theirTargets.Total);
        Add("targets.designated", targetsSource, targets.Designated, theirTargets.Designated);
        Add("targets.transformed", targetsSource, targets.Transformed, theirTargets.Transformed);
        Add("targets.reopened", targetsSource, targets.Reopened, theirTargets.Reopened);
        Add("measures.total", ledgerSource, ledger.Total, counts.Total);
        Add("measures.completed", ledgerSource, ledger.Completed, counts.Completed);
        Add("measures.closed", ledgerSource, ledger.Closed, counts.Closed);
        Add("measures.overdue", ledgerSource, ledger.Overdue, counts.Overdue);
        Add("measures.reopened", ledgerSource, ledger.Reopened, counts.Reopened);
        Add("reports.total", reportsSource, reports.Total, theirReports.Total);
        Add("reports.submitted", reportsSource, reports.Submitted, theirReports.Submitted);
        Add("reports.accepted", reportsSource, reports.Accepted, theirReports.Accepted);
        Add("reports.returned", reportsSource, reports.Returned, theirReports.Returned);
        Add("reports.on_time", reportsSource, reports.OnTime, theirReports.OnTime);
        Add("reports.late", reportsSource, reports.Late, theirReports.Late);
        result.Agrees = result.Figures.All(f => f.Agrees);
        return result;
    }
}
