using Dapper;
using Google.Protobuf;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>The request of SnapshotReports, checked: the unit whose subtree is sent.</summary>
public sealed record SnapshotReportsInput(OrgCode Scope)
{
    public static SnapshotReportsInput Parse(SnapshotReportsRequest request)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        v.ThrowIfAny();
        return new(scope!.Value);
    }
}

/// <summary>
/// Each report under a unit as its events left it, for the gateway's rebuild: its latest revision that was submitted
/// (drafts publish nothing), with that revision's status, totals and timeliness (each revision keeps the first
/// submission's) and the version its last event carried. Read a page of (unit, month) at a time.
/// </summary>
public sealed class ReportSnapshot(Database<ReportingModule> database)
{
    private const int PageSize = 500;

    private sealed class Row
    {
        public int Kind { get; set; }
        public string UnitCode { get; set; } = "";
        public string Period { get; set; } = "";
        public int Revision { get; set; }
        public int Status { get; set; }
        public int? Timeliness { get; set; }
        public string Content { get; set; } = "";
        public DateTime UpdatedAt { get; set; }
    }

    public async Task StreamAsync(Caller caller, SnapshotReportsRequest request, Func<ReportState, Task> write, CancellationToken ct)
    {
        var scope = SnapshotReportsInput.Parse(request).Scope;
        caller.EnsureAdmin(scope, "A snapshot of the reports");
        var (low, high) = scope.SubtreeRange;
        var (afterUnit, afterPeriod) = ("", "");
        while (true)
        {
            var rows = (await database.ReadAsync(c => c.QueryAsync<Row>($"""
                SELECT r.kind AS Kind, r.unit_code AS UnitCode, r.period AS Period, r.revision AS Revision, r.status AS Status, r.timeliness AS Timeliness,
                       r.content AS Content, r.updated_at AS UpdatedAt
                FROM reports r
                WHERE r.unit_code >= @low AND r.unit_code <= @high AND r.status <> @draft
                  AND (r.unit_code > @afterUnit OR (r.unit_code = @afterUnit AND r.period > @afterPeriod))
                  AND r.revision = (SELECT MAX(x.revision) FROM reports x WHERE x.unit_code = r.unit_code AND x.period = r.period AND x.status <> @draft)
                ORDER BY r.unit_code, r.period
                {database.Sql.Limit("@limit")}
                """, new { low, high, draft = (int)ReportStatus.Draft, afterUnit, afterPeriod, limit = PageSize }), ct)).ToList();
            foreach (var row in rows)
            {
                var status = (ReportStatus)row.Status;
                await write(new ReportState
                {
                    UnitCode = row.UnitCode, Period = Month.Parse(row.Period).ToProto(), Kind = (ReportKind)row.Kind, Status = status,
                    Timeliness = (Timeliness)(row.Timeliness ?? 0), Totals = JsonParser.Default.Parse<Report>(row.Content).Totals ?? new Indicators(), Revision = row.Revision,
                    Version = status == ReportStatus.Submitted ? Events.Reporting.ReportVersion.Submitted(row.Revision) : Events.Reporting.ReportVersion.Reviewed(row.Revision),
                    UpdatedAt = new DateTimeOffset(row.UpdatedAt.AsUtc()).ToProto(),
                });
            }
            if (rows.Count < PageSize) return;
            (afterUnit, afterPeriod) = (rows[^1].UnitCode, rows[^1].Period);
        }
    }
}
