using System.Text.Json;
using Dapper;
using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;
using OrgLevel = Rectify.Common.V1.OrgLevel;

namespace Rectify.Gateway.ReadModel;

/// <summary>
/// Rebuilds the read model from the services instead of their events: each service streams its aggregates as they are
/// now (units; targets; plans and measures with their status history; reports), and each one is written through the same
/// conditional writes as an event (ReadModelStore), so the publisher's version decides between a snapshot and an event
/// consumed meanwhile, in either order. A batch is read from the stream, then written in one transaction, then applied to
/// the in-memory model: a remote call never runs inside the write.
/// </summary>
public sealed class ReadModelRebuild(
    Database<GatewayModule> database, ProgressModel model,
    OrganizationService.OrganizationServiceClient organizations, AssessmentService.AssessmentServiceClient assessment,
    MeasureService.MeasureServiceClient measures, ReportingService.ReportingServiceClient reporting)
{
    private const int BatchSize = 200;

    /// <summary>A rebuild streams a whole subtree: far longer than a call's default deadline.</summary>
    private static readonly TimeSpan StreamDeadline = TimeSpan.FromMinutes(30);

    /// <summary>Nothing in the read model: a new database, or one restored without it.</summary>
    /// <summary>At start, before the consumers run: an empty read model owes a rebuild of everything, recorded so it survives a crash.</summary>
    public Task MarkIfEmptyAsync(CancellationToken ct) => database.WriteAsync(async s =>
    {
        var rows = await s.ExecuteScalarAsync<long>("""
            SELECT (SELECT COUNT(*) FROM rm_units) + (SELECT COUNT(*) FROM rm_targets) + (SELECT COUNT(*) FROM rm_measures) + (SELECT COUNT(*) FROM rm_reports)
                + (SELECT COUNT(*) FROM rm_rebuild_pending)
            """);
        if (rows == 0) await s.ExecuteAsync("INSERT INTO rm_rebuild_pending (scope_code) VALUES (@scope)", new { scope = OrgCode.Nation.Value });
    }, ct);

    public Task<bool> IsPendingAsync(CancellationToken ct) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rm_rebuild_pending") > 0, ct);

    public Task ClearPendingAsync(CancellationToken ct) => database.WriteAsync(s => s.ExecuteAsync("DELETE FROM rm_rebuild_pending"), ct);

    public async Task<RebuildReadModelResponse> RebuildAsync(OrgCode scope, CancellationToken ct)
    {
        var result = new RebuildReadModelResponse();
        var deadline = DateTime.UtcNow + StreamDeadline;

        if (!scope.IsNation)
        {
            var root = await organizations.GetUnitAsync(new GetUnitRequest { Code = scope.Value }, deadline: deadline, cancellationToken: ct);
            await WriteAsync([root], SaveUnitAsync, result, ct);
            result.Units++;
        }
        using (var units = organizations.StreamSubtree(new StreamSubtreeRequest { Code = scope.Value, IncludeClosed = true }, deadline: deadline, cancellationToken: ct))
            result.Units += await DrainAsync(units.ResponseStream, SaveUnitAsync, result, ct);

        using (var targets = assessment.SnapshotTargets(new SnapshotTargetsRequest { ScopeCode = scope.Value }, deadline: deadline, cancellationToken: ct))
            result.Targets += await DrainAsync(targets.ResponseStream, SaveTargetAsync, result, ct);

        using (var ledger = measures.SnapshotLedger(new SnapshotLedgerRequest { ScopeCode = scope.Value }, deadline: deadline, cancellationToken: ct))
            await DrainAsync(ledger.ResponseStream, async (s, item) =>
            {
                if (item.Plan is { } plan)
                {
                    result.Plans++;
                    return await SavePlanAsync(s, plan);
                }
                result.Measures++;
                result.StatusChanges += item.Measure.History.Count;
                return await SaveMeasureAsync(s, item.Measure);
            }, result, ct);

        using (var reports = reporting.SnapshotReports(new SnapshotReportsRequest { ScopeCode = scope.Value }, deadline: deadline, cancellationToken: ct))
            result.Reports += await DrainAsync(reports.ResponseStream, SaveReportAsync, result, ct);
        return result;
    }

    private async Task<int> DrainAsync<T>(IAsyncStreamReader<T> stream, Func<DbSession, T, Task<IEnumerable<object>>> save, RebuildReadModelResponse result, CancellationToken ct)
    {
        var count = 0;
        var batch = new List<T>(BatchSize);
        while (await stream.MoveNext(ct))
        {
            batch.Add(stream.Current);
            if (batch.Count < BatchSize) continue;
            count += await WriteAsync(batch, save, result, ct);
            batch.Clear();
        }
        return count + await WriteAsync(batch, save, result, ct);
    }

    private async Task<int> WriteAsync<T>(IReadOnlyList<T> batch, Func<DbSession, T, Task<IEnumerable<object>>> save, RebuildReadModelResponse result, CancellationToken ct)
    {
        if (batch.Count == 0) return 0;
        var changed = await database.WriteAsync(async s =>
        {
            var rows = new List<object>();
            foreach (var item in batch) rows.AddRange(await save(s, item));
            return rows;
        }, ct);
        result.RowsChanged += changed.Count;
        model.ApplyAll(changed);
        return batch.Count;
    }

    // Units carry no version: the organizations service's name and closing date are written where the row differs.
    private static async Task<IEnumerable<object>> SaveUnitAsync(DbSession s, Unit unit)
    {
        var closedOn = unit.ClosedOn is { } closed && closed.TryToDateOnly(out var date) ? date : (DateOnly?)null;
        var held = await s.QuerySingleOrDefaultAsync<UnitRow>($"SELECT {ReadModelStore.UnitColumns} FROM rm_units WHERE code = @Code", new { unit.Code });
        // A missing row is inserted with both.
        if (held is null) return await ReadModelStore.ChangeUnitAsync(s, new(unit.Code, Name: unit.Name, ClosedOn: closedOn), ReadModelStore.UnitField.Name);
        var saved = new List<object>();
        if (held.Name != unit.Name) saved.AddRange(await ReadModelStore.ChangeUnitAsync(s, new(unit.Code, Name: unit.Name), ReadModelStore.UnitField.Name));
        if (closedOn is not null && held.ClosedOn != closedOn) saved.AddRange(await ReadModelStore.ChangeUnitAsync(s, new(unit.Code, ClosedOn: closedOn), ReadModelStore.UnitField.ClosedOn));
        return saved;
    }

    private static async Task<IEnumerable<object>> SaveTargetAsync(DbSession s, TargetState target)
    {
        var saved = new List<object>();
        // As the designation does: names for a village or township the organizations service did not name.
        saved.AddRange(await NameIfUnnamedAsync(s, target.VillageCode, target.VillageName));
        saved.AddRange(await NameIfUnnamedAsync(s, OrgCode.Parse(target.VillageCode).AncestorAt(OrgLevel.Township).Value, target.TownshipName));
        var designatedAt = target.DesignatedAt.ToDateTimeOffset();
        target.CampaignEndsOn.TryToDateOnly(out var endsOn);
        // Dated as TargetsDesignated dates it: by its decision when entered as history, else the day it was published.
        var designatedOn = target.DecidedOn is { } decided && decided.TryToDateOnly(out var decidedOn) ? decidedOn : LocalDate(designatedAt);
        // Facts version 1: the designation's own (TargetsDesignated carries 1); the status with the target's version now.
        saved.AddRange(await ReadModelStore.DesignateAsync(s, new(target.VillageCode, target.CampaignYear, target.VillageName, target.Status, designatedOn,
            endsOn, designatedAt.UtcDateTime, target.Version, FactsVersion: 1)));
        return saved;
    }

    private static async Task<IEnumerable<object>> NameIfUnnamedAsync(DbSession s, string code, string name) =>
        name.Length == 0 || await s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM rm_units WHERE code = @code AND name <> ''", new { code }) > 0 ? []
            : await ReadModelStore.ChangeUnitAsync(s, new(code, Name: name), ReadModelStore.UnitField.NameIfUnnamed);

    // A plan never changes once made: written only when missing.
    private static async Task<IEnumerable<object>> SavePlanAsync(DbSession s, PlanPhases plan)
    {
        if (await s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM rm_plans WHERE village_code = @VillageCode AND campaign_year = @CampaignYear", new { plan.VillageCode, plan.CampaignYear }) > 0)
            return [];
        var phases = plan.Phases.Select(p => new PlanPhase(p.Name, p.EndsOn.TryToDateOnly(out var end) ? end : default)).ToList();
        return await ReadModelStore.SaveAsync(s, new PlanRow
        {
            VillageCode = plan.VillageCode, CampaignYear = plan.CampaignYear, Phases = JsonSerializer.Serialize(phases),
            StartsOn = plan.StartsOn.TryToDateOnly(out var starts) ? starts : null, CampaignEndsOn = plan.CampaignEndsOn.TryToDateOnly(out var ends) ? ends : null,
        });
    }

    /// <summary>The history first, as the events append it; the dates of completion and closing as its events would have set them.</summary>
    private static async Task<IEnumerable<object>> SaveMeasureAsync(DbSession s, MeasureState measure)
    {
        var history = new List<object>();
        DateOnly? completedOn = null, closedOn = null;
        foreach (var change in measure.History)
        {
            var at = change.At.ToDateTimeOffset();
            var on = LocalDate(at);
            change.Deadline.TryToDateOnly(out var deadline);
            var status = (Events.Measures.MeasureStatus)(int)change.Status;
            history.AddRange(await ReadModelStore.AppendAsync(s, new StatusChange { MeasureId = measure.Id, At = at.UtcDateTime, Status = status, OnDate = on, Deadline = deadline }));
            switch (change.Status)
            {
                case Measures.V1.MeasureStatus.Completed: completedOn = on; break;
                case Measures.V1.MeasureStatus.Closed: closedOn = on; break;
                case Measures.V1.MeasureStatus.Reopened: (completedOn, closedOn) = (null, null); break;
            }
        }
        measure.Deadline.TryToDateOnly(out var current);
        var row = new MeasureRow
        {
            Id = measure.Id, VillageCode = measure.VillageCode, CampaignYear = measure.CampaignYear, Deadline = current, Status = (Events.Measures.MeasureStatus)(int)measure.Status,
            CompletedOn = completedOn, ClosedOn = closedOn, AsOf = measure.UpdatedAt.ToDateTime(), Version = measure.Version,
        };
        // The row first: the model keeps the history under the measure.
        return [.. await ReadModelStore.SaveAsync(s, row, ReadModelStore.MeasureDates.Both), .. history];
    }

    private static Task<IEnumerable<object>> SaveReportAsync(DbSession s, ReportState report) =>
        Cast(ReadModelStore.SubmitAsync(s, new(report.UnitCode, new Month(report.Period.Year, report.Period.Month).ToString(), (Events.Reporting.ReportKind)(int)report.Kind, report.Status,
            (Events.Reporting.Timeliness)(int)report.Timeliness, JsonSerializer.Serialize(Totals(report.Totals)), report.UpdatedAt.ToDateTime(), report.Version,
            ReportVersion.Submitted(report.Revision))));

    private static ReportIndicators Totals(Indicators? i) => i is null ? new(0, 0, 0, 0, 0, 0)
        : new(i.MeetingsHeld, i.Trainings, i.MembersDeveloped, i.ServicesForPeople, i.DisputesMediated, i.CollectiveIncomeToDateYuan);

    private static async Task<IEnumerable<object>> Cast<T>(Task<IEnumerable<T>> rows) where T : class => await rows;

    private static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, ShanghaiTime.Zone).DateTime);
}
