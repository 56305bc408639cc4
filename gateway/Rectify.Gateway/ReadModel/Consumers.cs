using System.Text.Json;
using Dapper;
using Rectify.Events;
using Rectify.Events.Assessment;
using Rectify.Events.Measures;
using Rectify.Events.Organizations;
using Rectify.Events.Reporting;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;
using OrgLevel = Rectify.Common.V1.OrgLevel;
using ReportStatus = Rectify.Reporting.V1.ReportStatus;
using TargetStatus = Rectify.Assessment.V1.TargetStatus;

namespace Rectify.Gateway.ReadModel;

/// <summary>
/// A consumer of one event that changes one read-model row: it reads the row,
/// changes it, writes it in the dedup transaction, and after the commit applies
/// it to the in-memory model. An event older than the row's last is ignored,
/// so concurrent or redelivered events cannot move a row backwards.
/// </summary>
public abstract class ReadModelConsumer<TMessage, TRow>(Database<GatewayModule> database, ProgressModel model, TimeProvider clock)
    : IdempotentConsumer<GatewayModule, TMessage>(database, clock)
    where TMessage : class, IIntegrationEvent
    where TRow : class
{
    private readonly List<TRow> _changed = [];

    protected abstract Task<IEnumerable<TRow>> ChangeAsync(TMessage message, DbSession session);

    protected override async Task HandleAsync(TMessage message, DbSession session) => _changed.AddRange(await ChangeAsync(message, session));

    protected override Task AfterCommitAsync(TMessage message)
    {
        foreach (var row in _changed)
            switch (row)
            {
                case UnitRow u: model.Apply(u); break;
                case TargetRow t: model.Apply(t); break;
                case PlanRow p: model.Apply(p); break;
                case MeasureRow m: model.Apply(m); break;
                case StatusChange h: model.Apply(h); break;
                case ReportRow r: model.Apply(r); break;
            }
        return Task.CompletedTask;
    }

    protected static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, ShanghaiTime.Zone).DateTime);
}

/// <summary>The read model's SQL: one row per unit, target, measure and report; upserts as delete + insert.</summary>
public static class ReadModelStore
{
    public static Task<UnitRow?> UnitAsync(DbSession s, string code) =>
        s.QuerySingleOrDefaultAsync<UnitRow>("SELECT code AS Code, name AS Name, parent_code AS ParentCode, closed_on AS ClosedOn FROM rm_units WHERE code = @code", new { code });

    public static async Task<IEnumerable<UnitRow>> SaveAsync(DbSession s, UnitRow row)
    {
        await s.ExecuteAsync("DELETE FROM rm_units WHERE code = @Code", row);
        await s.ExecuteAsync("INSERT INTO rm_units (code, name, parent_code, closed_on) VALUES (@Code, @Name, @ParentCode, @ClosedOn)", row);
        return [row];
    }

    public static Task<TargetRow?> TargetAsync(DbSession s, string village, int year) => s.QuerySingleOrDefaultAsync<TargetRow>("""
        SELECT village_code AS VillageCode, campaign_year AS CampaignYear, village_name AS VillageName, status AS Status, designated_on AS DesignatedOn, campaign_ends_on AS CampaignEndsOn, as_of AS AsOf
        FROM rm_targets WHERE village_code = @village AND campaign_year = @year
        """, new { village, year });

    public static async Task<IEnumerable<TargetRow>> SaveAsync(DbSession s, TargetRow row)
    {
        await s.ExecuteAsync("DELETE FROM rm_targets WHERE village_code = @VillageCode AND campaign_year = @CampaignYear", row);
        await s.ExecuteAsync("INSERT INTO rm_targets (village_code, campaign_year, village_name, status, designated_on, campaign_ends_on, as_of) VALUES (@VillageCode, @CampaignYear, @VillageName, @Status, @DesignatedOn, @CampaignEndsOn, @AsOf)", row);
        return [row];
    }

    public static async Task<IEnumerable<PlanRow>> SaveAsync(DbSession s, PlanRow row)
    {
        await s.ExecuteAsync("DELETE FROM rm_plans WHERE village_code = @VillageCode AND campaign_year = @CampaignYear", row);
        await s.ExecuteAsync("INSERT INTO rm_plans (village_code, campaign_year, phases, starts_on, campaign_ends_on) VALUES (@VillageCode, @CampaignYear, @Phases, @StartsOn, @CampaignEndsOn)", row);
        return [row];
    }

    public static Task<MeasureRow?> MeasureAsync(DbSession s, string id) => s.QuerySingleOrDefaultAsync<MeasureRow>("""
        SELECT id AS Id, village_code AS VillageCode, campaign_year AS CampaignYear, deadline AS Deadline, status AS Status, completed_on AS CompletedOn, closed_on AS ClosedOn, as_of AS AsOf
        FROM rm_measures WHERE id = @id
        """, new { id });

    public static async Task<IEnumerable<MeasureRow>> SaveAsync(DbSession s, MeasureRow row)
    {
        await s.ExecuteAsync("DELETE FROM rm_measures WHERE id = @Id", row);
        await s.ExecuteAsync("INSERT INTO rm_measures (id, village_code, campaign_year, deadline, status, completed_on, closed_on, as_of) VALUES (@Id, @VillageCode, @CampaignYear, @Deadline, @Status, @CompletedOn, @ClosedOn, @AsOf)", row);
        return [row];
    }

    /// <summary>Appends a status to a measure's history; the same change consumed twice is kept once.</summary>
    public static async Task<IEnumerable<StatusChange>> AppendAsync(DbSession s, StatusChange change)
    {
        if (await s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM rm_measure_history WHERE measure_id = @MeasureId AND at = @At AND status = @Status", change) > 0) return [];
        await s.ExecuteAsync("INSERT INTO rm_measure_history (measure_id, at, status, on_date, deadline) VALUES (@MeasureId, @At, @Status, @OnDate, @Deadline)", change);
        return [change];
    }

    public static Task<ReportRow?> ReportAsync(DbSession s, string unit, string period) => s.QuerySingleOrDefaultAsync<ReportRow>("""
        SELECT unit_code AS UnitCode, period AS Period, kind AS Kind, status AS Status, timeliness AS Timeliness, totals AS Totals, as_of AS AsOf
        FROM rm_reports WHERE unit_code = @unit AND period = @period
        """, new { unit, period });

    public static async Task<IEnumerable<ReportRow>> SaveAsync(DbSession s, ReportRow row)
    {
        await s.ExecuteAsync("DELETE FROM rm_reports WHERE unit_code = @UnitCode AND period = @Period", row);
        await s.ExecuteAsync("INSERT INTO rm_reports (unit_code, period, kind, status, timeliness, totals, as_of) VALUES (@UnitCode, @Period, @Kind, @Status, @Timeliness, @Totals, @AsOf)", row);
        return [row];
    }
}

/// <summary>
/// Unit events may be consumed in any order (a closing before the registration it follows): each one creates the
/// row if it is missing and changes only its own fields.
/// </summary>
public abstract class UnitProjection<TMessage>(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TMessage, UnitRow>(d, m, c)
    where TMessage : class, IIntegrationEvent
{
    protected static async Task<IEnumerable<UnitRow>> ChangeUnitAsync(DbSession s, string code, Action<UnitRow> change)
    {
        var unit = await ReadModelStore.UnitAsync(s, code) ?? new UnitRow { Code = code, ParentCode = OrgCode.Parse(code).Parent?.Value };
        change(unit);
        return await ReadModelStore.SaveAsync(s, unit);
    }
}

public sealed class UnitRegisteredProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : UnitProjection<UnitRegistered>(d, m, c)
{
    // A rename consumed first already holds the newer name.
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitRegistered e, DbSession s) =>
        ChangeUnitAsync(s, e.Code, u => { if (u.Name.Length == 0) u.Name = e.Name; });
}

public sealed class UnitRenamedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : UnitProjection<UnitRenamed>(d, m, c)
{
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitRenamed e, DbSession s) => ChangeUnitAsync(s, e.Code, u => u.Name = e.NewName);
}

public sealed class UnitClosedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : UnitProjection<UnitClosed>(d, m, c)
{
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitClosed e, DbSession s) => ChangeUnitAsync(s, e.Code, u => u.ClosedOn = e.ClosedOn);
}

public sealed class UnitMergedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : UnitProjection<UnitMerged>(d, m, c)
{
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitMerged e, DbSession s) => ChangeUnitAsync(s, e.Code, u => u.ClosedOn = e.EffectiveOn);
}

public sealed class TargetsDesignatedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TargetsDesignated, object>(d, m, c)
{
    protected override async Task<IEnumerable<object>> ChangeAsync(TargetsDesignated e, DbSession s)
    {
        var saved = new List<object>();
        foreach (var target in e.Targets)
        {
            // The designation names the village and its township: a unit the organizations events have not named yet gets these names.
            saved.AddRange(await NameAsync(s, target.VillageCode, target.VillageName));
            saved.AddRange(await NameAsync(s, OrgCode.Parse(target.VillageCode).AncestorAt(OrgLevel.Township).Value, target.TownshipName));
            var existing = await ReadModelStore.TargetAsync(s, target.VillageCode, e.CampaignYear);
            if (existing is not null && existing.AsOf > e.OccurredAt.UtcDateTime) continue;
            saved.AddRange(await ReadModelStore.SaveAsync(s, new TargetRow
            {
                VillageCode = target.VillageCode, CampaignYear = e.CampaignYear, VillageName = target.VillageName, Status = existing?.Status ?? TargetStatus.Designated,
                DesignatedOn = LocalDate(e.OccurredAt), CampaignEndsOn = e.CampaignEndsOn, AsOf = e.OccurredAt.UtcDateTime,
            }));
        }
        return saved;
    }

    private static async Task<IEnumerable<UnitRow>> NameAsync(DbSession s, string code, string name)
    {
        var unit = await ReadModelStore.UnitAsync(s, code);
        if (name.Length == 0 || unit is { Name.Length: > 0 }) return [];
        unit ??= new UnitRow { Code = code, ParentCode = OrgCode.Parse(code).Parent?.Value };
        unit.Name = name;
        return await ReadModelStore.SaveAsync(s, unit);
    }
}

/// <summary>The target status changes: 转化 (transformed) on acceptance, 回炉 (reopened) on a failed acceptance or look-back.</summary>
public abstract class TargetStatusProjection<TMessage>(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TMessage, TargetRow>(d, m, c)
    where TMessage : class, IIntegrationEvent
{
    protected async Task<IEnumerable<TargetRow>> SetAsync(DbSession s, string village, int year, TargetStatus status, DateTimeOffset at)
    {
        var target = await ReadModelStore.TargetAsync(s, village, year);
        if (target is null || target.AsOf > at.UtcDateTime) return [];
        target.Status = status;
        target.AsOf = at.UtcDateTime;
        return await ReadModelStore.SaveAsync(s, target);
    }
}

public sealed class TargetTransformedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : TargetStatusProjection<TargetTransformed>(d, m, c)
{
    protected override Task<IEnumerable<TargetRow>> ChangeAsync(TargetTransformed e, DbSession s) => SetAsync(s, e.VillageCode, e.CampaignYear, TargetStatus.Transformed, e.OccurredAt);
}

public sealed class AcceptanceFailedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : TargetStatusProjection<AcceptanceFailed>(d, m, c)
{
    protected override Task<IEnumerable<TargetRow>> ChangeAsync(AcceptanceFailed e, DbSession s) => SetAsync(s, e.VillageCode, e.CampaignYear, TargetStatus.Reopened, e.OccurredAt);
}

public sealed class PlanCreatedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<PlanCreated, PlanRow>(d, m, c)
{
    protected override Task<IEnumerable<PlanRow>> ChangeAsync(PlanCreated e, DbSession s) =>
        ReadModelStore.SaveAsync(s, new PlanRow
        {
            VillageCode = e.VillageCode, CampaignYear = e.CampaignYear, Phases = JsonSerializer.Serialize(e.Phases), StartsOn = e.StartsOn, CampaignEndsOn = e.CampaignEndsOn,
        });
}

/// <summary>
/// Every measure event carries the measure's state; the dates of completion and closing come from the events themselves.
/// Each event also appends the status and deadline it reports to the measure's history, even when it arrives after a
/// newer one: the history is ordered by the events' times, so any past date is answered as it was then.
/// </summary>
public abstract class MeasureProjection<TMessage>(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TMessage, object>(d, m, c)
    where TMessage : class, IIntegrationEvent
{
    protected async Task<IEnumerable<object>> SaveAsync(DbSession s, MeasureSnapshot snapshot, DateTimeOffset at, Action<MeasureRow> change)
    {
        var saved = new List<object>(await ReadModelStore.AppendAsync(s, new StatusChange { MeasureId = snapshot.MeasureId, At = at.UtcDateTime, Status = snapshot.Status, OnDate = LocalDate(at), Deadline = snapshot.Deadline }));
        var row = await ReadModelStore.MeasureAsync(s, snapshot.MeasureId);
        if (row is not null && row.AsOf > at.UtcDateTime) return saved;
        row ??= new MeasureRow { Id = snapshot.MeasureId };
        row.VillageCode = snapshot.VillageCode;
        row.CampaignYear = snapshot.CampaignYear;
        row.Deadline = snapshot.Deadline;
        row.Status = snapshot.Status;
        row.AsOf = at.UtcDateTime;
        change(row);
        // The row first: the model keeps the history under the measure.
        saved.InsertRange(0, await ReadModelStore.SaveAsync(s, row));
        return saved;
    }
}

public sealed class MeasureCreatedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureCreated>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureCreated e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, _ => { });
}

public sealed class MeasureProgressedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureProgressed>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureProgressed e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, _ => { });
}

public sealed class MeasureCompletedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureCompleted>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureCompleted e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, r => r.CompletedOn = LocalDate(e.OccurredAt));
}

public sealed class MeasureClosedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureClosed>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureClosed e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, r => r.ClosedOn = LocalDate(e.OccurredAt));
}

public sealed class MeasureReopenedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureReopened>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureReopened e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, r => { r.CompletedOn = null; r.ClosedOn = null; });
}

/// <summary>Reports: a submission sets the totals and, the first time, the timeliness; reviews change the status.</summary>
public sealed class ReportSubmittedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<ReportSubmitted, ReportRow>(d, m, c)
{
    protected override async Task<IEnumerable<ReportRow>> ChangeAsync(ReportSubmitted e, DbSession s)
    {
        var row = await ReadModelStore.ReportAsync(s, e.UnitCode, e.Period);
        if (row is not null && row.AsOf > e.OccurredAt.UtcDateTime) return [];
        return await ReadModelStore.SaveAsync(s, new ReportRow
        {
            UnitCode = e.UnitCode, Period = e.Period, Kind = e.Kind, Status = ReportStatus.Submitted,
            Timeliness = row?.Timeliness is Timeliness.OnTime or Timeliness.Late ? row.Timeliness : e.Timeliness,
            Totals = JsonSerializer.Serialize(e.Totals), AsOf = e.OccurredAt.UtcDateTime,
        });
    }
}

public abstract class ReportReviewProjection<TMessage>(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TMessage, ReportRow>(d, m, c)
    where TMessage : class, IIntegrationEvent
{
    protected async Task<IEnumerable<ReportRow>> SetAsync(DbSession s, string unit, string period, ReportStatus status, DateTimeOffset at)
    {
        var row = await ReadModelStore.ReportAsync(s, unit, period);
        if (row is null || row.AsOf > at.UtcDateTime) return [];
        row.Status = status;
        row.AsOf = at.UtcDateTime;
        return await ReadModelStore.SaveAsync(s, row);
    }
}

public sealed class ReportAcceptedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReportReviewProjection<ReportAccepted>(d, m, c)
{
    protected override Task<IEnumerable<ReportRow>> ChangeAsync(ReportAccepted e, DbSession s) => SetAsync(s, e.UnitCode, e.Period, ReportStatus.Accepted, e.OccurredAt);
}

public sealed class ReportReturnedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReportReviewProjection<ReportReturned>(d, m, c)
{
    protected override Task<IEnumerable<ReportRow>> ChangeAsync(ReportReturned e, DbSession s) => SetAsync(s, e.UnitCode, e.Period, ReportStatus.Returned, e.OccurredAt);
}
