using System.Text.Json;
using Dapper;
using Rectify.Kernel;
using Rectify.Measures.Plans;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Ledger;

/// <summary>The request of SnapshotLedger, checked: the unit whose subtree is sent.</summary>
public sealed record SnapshotLedgerInput(OrgCode Scope)
{
    public static SnapshotLedgerInput Parse(SnapshotLedgerRequest request)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        v.ThrowIfAny();
        return new(scope!.Value);
    }
}

/// <summary>
/// What the gateway's read model needs to be rebuilt without the events: each plan's phases and dates, and each measure's
/// state and version with its status history (from measure_changes: the status after each change at the time its event
/// carries, and the deadline it had then), read a page at a time, never inside a write.
/// </summary>
public sealed class LedgerSnapshot(Database<MeasuresModule> database)
{
    private const int PageSize = 500;

    private sealed class PlanRow
    {
        public string VillageCode { get; set; } = "";
        public int CampaignYear { get; set; }
        public DateOnly StartsOn { get; set; }
        public string Phases { get; set; } = "[]";
        public DateOnly CampaignEndsOn { get; set; }
    }

    public async Task StreamAsync(Caller caller, SnapshotLedgerRequest request, Func<LedgerSnapshotItem, Task> write, CancellationToken ct)
    {
        var scope = SnapshotLedgerInput.Parse(request).Scope;
        caller.EnsureAdmin(scope, "A snapshot of the ledger");
        var (low, high) = scope.SubtreeRange;
        var plans = await database.ReadAsync(c => c.QueryAsync<PlanRow>("""
            SELECT p.village_code AS VillageCode, p.campaign_year AS CampaignYear, p.starts_on AS StartsOn, p.phases AS Phases, t.campaign_ends_on AS CampaignEndsOn
            FROM plans p JOIN targets t ON t.village_code = p.village_code AND t.campaign_year = p.campaign_year
            WHERE p.village_code >= @low AND p.village_code <= @high
            ORDER BY p.village_code, p.campaign_year
            """, new { low, high }), ct);
        foreach (var plan in plans)
        {
            var phases = new PlanPhases { VillageCode = plan.VillageCode, CampaignYear = plan.CampaignYear, StartsOn = plan.StartsOn.ToProto(), CampaignEndsOn = plan.CampaignEndsOn.ToProto() };
            phases.Phases.AddRange(JsonSerializer.Deserialize<List<PlanService.PhaseRecord>>(plan.Phases)!.Select(p => new Phase { Name = p.Name, EndsOn = p.EndsOn.ToProto() }));
            await write(new LedgerSnapshotItem { Plan = phases });
        }
        var after = "";
        while (true)
        {
            var (measures, changes) = await database.ReadAsync(async c =>
            {
                var page = (await c.QueryAsync<MeasureRow>($"""
                    SELECT {MeasureRow.Columns} FROM measures
                    WHERE village_code >= @low AND village_code <= @high AND id > @after
                    ORDER BY id
                    {database.Sql.Limit("@limit")}
                    """, new { low, high, after, limit = PageSize })).ToList();
                var ids = page.Select(m => m.Id).ToArray();
                var history = ids.Length == 0 ? [] : (await c.QueryAsync<MeasureChangeRow>($"""
                    SELECT measure_id AS MeasureId, kind AS Kind, status_after AS StatusAfter, on_date AS OnDate, new_deadline AS NewDeadline, recorded_at AS RecordedAt
                    FROM measure_changes WHERE {database.Sql.InList("measure_id", "@ids")}
                    ORDER BY id
                    """, new { ids })).ToList();
                return (page, history);
            }, ct);
            var byMeasure = changes.ToLookup(h => h.MeasureId);
            foreach (var measure in measures) await write(new LedgerSnapshotItem { Measure = State(measure, byMeasure[measure.Id]) });
            if (measures.Count < PageSize) return;
            after = measures[^1].Id;
        }
    }

    private static MeasureState State(MeasureRow row, IEnumerable<MeasureChangeRow> changes)
    {
        var state = new MeasureState
        {
            Id = row.Id, VillageCode = row.VillageCode, CampaignYear = row.CampaignYear, Deadline = row.Deadline.ToProto(), Status = row.State, Version = row.Version,
            UpdatedAt = new DateTimeOffset(row.UpdatedAt.AsUtc()).ToProto(),
        };
        // The deadline in force after each change: the creation's, moved by each reopening (an old creation entry kept it in on_date).
        DateOnly? deadline = null;
        foreach (var change in changes)
        {
            if (change.Kind == (int)MeasureChangeKind.Created) deadline = change.NewDeadline ?? change.OnDate;
            else if (change.Kind == (int)MeasureChangeKind.Reopened && change.NewDeadline is { } moved) deadline = moved;
            state.History.Add(new MeasureStatusChange
            {
                At = new DateTimeOffset(change.RecordedAt.AsUtc()).ToProto(), Status = (MeasureStatus)change.StatusAfter, Deadline = (deadline ?? row.Deadline).ToProto(),
            });
        }
        return state;
    }
}
