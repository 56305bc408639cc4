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

/// <summary>
/// The read model's SQL. Every change is one conditional write: an UPDATE that applies only when the change is newer
/// than the row (by the publisher's version), else an INSERT when the row is missing, and a racing INSERT's unique
/// violation leaves the decision to the conditional UPDATE again. No read-compare-write, so two consumers of one
/// aggregate's events cannot move a row backwards, whatever their order. The written row is read back in the same
/// transaction for the in-memory model, which keeps the copy with the most writes.
/// </summary>
public static class ReadModelStore
{
    public const string UnitColumns = "code AS Code, name AS Name, parent_code AS ParentCode, closed_on AS ClosedOn, writes AS Writes";
    public const string TargetColumns = """
        village_code AS VillageCode, campaign_year AS CampaignYear, village_name AS VillageName, status AS Status, designated_on AS DesignatedOn,
        campaign_ends_on AS CampaignEndsOn, as_of AS AsOf, version AS Version, facts_version AS FactsVersion, writes AS Writes
        """;
    public const string PlanColumns = "village_code AS VillageCode, campaign_year AS CampaignYear, phases AS Phases, starts_on AS StartsOn, campaign_ends_on AS CampaignEndsOn, writes AS Writes";
    public const string MeasureColumns = """
        id AS Id, village_code AS VillageCode, campaign_year AS CampaignYear, deadline AS Deadline, status AS Status, completed_on AS CompletedOn,
        closed_on AS ClosedOn, as_of AS AsOf, version AS Version, writes AS Writes
        """;
    public const string HistoryColumns = "measure_id AS MeasureId, at AS At, status AS Status, on_date AS OnDate, deadline AS Deadline";
    public const string ReportColumns = """
        unit_code AS UnitCode, period AS Period, kind AS Kind, status AS Status, timeliness AS Timeliness, totals AS Totals, as_of AS AsOf,
        version AS Version, totals_version AS TotalsVersion, writes AS Writes
        """;

    // Newer than the row: a higher version, or, for an event written before versions (0) on a row from before them, not older in time.
    private const string Newer = "(version < @Version OR (@Version = 0 AND version = 0 AND as_of <= @AsOf))";

    /// <summary>
    /// Applies a change to one row: the conditional updates, else the insert when the row is missing. Returns whether
    /// the row changed (false: it holds something newer already).
    /// </summary>
    private static async Task<bool> UpsertAsync(DbSession s, string[] updates, string exists, string insert, object change)
    {
        async Task<bool> UpdateAsync()
        {
            var changed = 0;
            foreach (var update in updates) changed += await s.ExecuteAsync(update, change);
            return changed > 0;
        }
        if (await UpdateAsync()) return true;
        // A row there now may have been inserted by a racing consumer after the update looked (an uncommitted insert is
        // invisible to it, not waited for): the conditional update decides again, on the row it can see now.
        if (await s.ExecuteScalarAsync<int>(exists, change) > 0) return await UpdateAsync();
        // Another consumer may insert the same row meanwhile: then its row is there to be updated conditionally.
        if (await s.TryAsync(() => s.ExecuteAsync(insert, change), Sql.IsUniqueViolation)) return true;
        return await UpdateAsync();
    }

    /// <summary>A unit event's change: the unit, its parent from the code, and the field the event sets.</summary>
    public sealed record UnitChange(string Code, string? Name = null, DateOnly? ClosedOn = null)
    {
        public string? ParentCode => OrgCode.Parse(Code).Parent?.Value;
        public string InitialName => Name ?? "";
    }

    /// <summary>How a unit event changes the row: each event sets its own field, so they commute.</summary>
    public enum UnitField { NameIfUnnamed, Name, ClosedOn }

    public static async Task<IEnumerable<UnitRow>> ChangeUnitAsync(DbSession s, UnitChange change, UnitField field)
    {
        var set = field switch
        {
            // A rename consumed first already holds the newer name; a designation names only a unit nobody named.
            UnitField.NameIfUnnamed => "name = CASE WHEN name = '' THEN @Name ELSE name END",
            UnitField.Name => "name = @Name",
            _ => "closed_on = @ClosedOn",
        };
        await UpsertAsync(s, [$"UPDATE rm_units SET {set}, writes = writes + 1 WHERE code = @Code"], "SELECT COUNT(*) FROM rm_units WHERE code = @Code",
            "INSERT INTO rm_units (code, name, parent_code, closed_on, writes) VALUES (@Code, @InitialName, @ParentCode, @ClosedOn, 1)", change);
        return [await s.QuerySingleAsync<UnitRow>($"SELECT {UnitColumns} FROM rm_units WHERE code = @Code", change)];
    }

    /// <summary>A target event's change; FactsVersion is the designation's version, 0 for a status event.</summary>
    public sealed record TargetChange(string VillageCode, int CampaignYear, string VillageName, TargetStatus Status, DateOnly DesignatedOn, DateOnly? CampaignEndsOn,
        DateTime AsOf, long Version, long FactsVersion);

    private const string TargetKey = "village_code = @VillageCode AND campaign_year = @CampaignYear";

    private const string TargetStatusUpdate = $"UPDATE rm_targets SET status = @Status, as_of = @AsOf, version = @Version, writes = writes + 1 WHERE {TargetKey} AND {Newer}";

    // The designation's facts, from the newest designation (a status event's row holds the event's date until the designation comes).
    private const string TargetFactsUpdate = $"""
        UPDATE rm_targets SET village_name = @VillageName, designated_on = @DesignatedOn, campaign_ends_on = @CampaignEndsOn, facts_version = @FactsVersion, writes = writes + 1
        WHERE {TargetKey} AND (facts_version < @FactsVersion OR (@FactsVersion = 0 AND facts_version = 0))
        """;

    private const string TargetInsert = """
        INSERT INTO rm_targets (village_code, campaign_year, village_name, status, designated_on, campaign_ends_on, as_of, version, facts_version, writes)
        VALUES (@VillageCode, @CampaignYear, @VillageName, @Status, @DesignatedOn, @CampaignEndsOn, @AsOf, @Version, @FactsVersion, 1)
        """;

    /// <summary>A designation: its facts and, when newer, the status Designated.</summary>
    public static Task<IEnumerable<TargetRow>> DesignateAsync(DbSession s, TargetChange change) => ChangeTargetAsync(s, change, [TargetFactsUpdate, TargetStatusUpdate]);

    /// <summary>A status event (转化, 回炉): the status when newer; a target not designated here yet is kept with the event's date until its designation comes.</summary>
    public static Task<IEnumerable<TargetRow>> SetTargetStatusAsync(DbSession s, TargetChange change) => ChangeTargetAsync(s, change with { FactsVersion = 0 }, [TargetStatusUpdate]);

    private static async Task<IEnumerable<TargetRow>> ChangeTargetAsync(DbSession s, TargetChange change, string[] updates)
    {
        if (!await UpsertAsync(s, updates, $"SELECT COUNT(*) FROM rm_targets WHERE {TargetKey}", TargetInsert, change)) return [];
        return [await s.QuerySingleAsync<TargetRow>($"SELECT {TargetColumns} FROM rm_targets WHERE {TargetKey}", change)];
    }

    public static async Task<IEnumerable<PlanRow>> SaveAsync(DbSession s, PlanRow row)
    {
        await UpsertAsync(s, ["UPDATE rm_plans SET phases = @Phases, starts_on = @StartsOn, campaign_ends_on = @CampaignEndsOn, writes = writes + 1 WHERE village_code = @VillageCode AND campaign_year = @CampaignYear"],
            "SELECT COUNT(*) FROM rm_plans WHERE village_code = @VillageCode AND campaign_year = @CampaignYear",
            "INSERT INTO rm_plans (village_code, campaign_year, phases, starts_on, campaign_ends_on, writes) VALUES (@VillageCode, @CampaignYear, @Phases, @StartsOn, @CampaignEndsOn, 1)", row);
        return [await s.QuerySingleAsync<PlanRow>($"SELECT {PlanColumns} FROM rm_plans WHERE village_code = @VillageCode AND campaign_year = @CampaignYear", row)];
    }

    /// <summary>Which dates a measure event sets besides the state every measure event carries.</summary>
    public enum MeasureDates { Keep, Completed, Closed, Cleared, Both }

    /// <summary>A measure's state as one event (or a snapshot) gives it; the row changes only if its version is newer.</summary>
    public static async Task<IEnumerable<MeasureRow>> SaveAsync(DbSession s, MeasureRow row, MeasureDates dates)
    {
        var setDates = dates switch
        {
            MeasureDates.Completed => "completed_on = @CompletedOn,",
            MeasureDates.Closed => "closed_on = @ClosedOn,",
            MeasureDates.Cleared => "completed_on = NULL, closed_on = NULL,",
            // A snapshot carries both, as its history gives them.
            MeasureDates.Both => "completed_on = @CompletedOn, closed_on = @ClosedOn,",
            _ => "",
        };
        var changed = await UpsertAsync(s,
            [$"UPDATE rm_measures SET village_code = @VillageCode, campaign_year = @CampaignYear, deadline = @Deadline, status = @Status, {setDates} as_of = @AsOf, version = @Version, writes = writes + 1 WHERE id = @Id AND {Newer}"],
            "SELECT COUNT(*) FROM rm_measures WHERE id = @Id", """
            INSERT INTO rm_measures (id, village_code, campaign_year, deadline, status, completed_on, closed_on, as_of, version, writes)
            VALUES (@Id, @VillageCode, @CampaignYear, @Deadline, @Status, @CompletedOn, @ClosedOn, @AsOf, @Version, 1)
            """, row);
        return changed ? [await s.QuerySingleAsync<MeasureRow>($"SELECT {MeasureColumns} FROM rm_measures WHERE id = @Id", row)] : [];
    }

    /// <summary>Appends a status to a measure's history; the same change consumed twice (or by two consumers at once) is kept once.</summary>
    public static async Task<IEnumerable<StatusChange>> AppendAsync(DbSession s, StatusChange change)
    {
        if (await s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM rm_measure_history WHERE measure_id = @MeasureId AND at = @At AND status = @Status", change) > 0) return [];
        var inserted = await s.TryAsync(() => s.ExecuteAsync("INSERT INTO rm_measure_history (measure_id, at, status, on_date, deadline) VALUES (@MeasureId, @At, @Status, @OnDate, @Deadline)", change),
            Sql.IsUniqueViolation);
        return inserted ? [change] : [];
    }

    /// <summary>A report event's change: Version orders the status; TotalsVersion is the submission's (0 for a review).</summary>
    public sealed record ReportChange(string UnitCode, string Period, ReportKind Kind, ReportStatus Status, Timeliness Timeliness, string Totals, DateTime AsOf, long Version, long TotalsVersion)
    {
        public Timeliness OnTime => Timeliness.OnTime;
        public Timeliness Late => Timeliness.Late;
    }

    private const string ReportKey = "unit_code = @UnitCode AND period = @Period";

    private const string ReportStatusUpdate = $"UPDATE rm_reports SET status = @Status, as_of = @AsOf, version = @Version, writes = writes + 1 WHERE {ReportKey} AND version < @Version";

    // A submission's totals from the newest submission; the timeliness stays the first submission's.
    private const string ReportTotalsUpdate = $"""
        UPDATE rm_reports SET kind = @Kind, totals = @Totals, timeliness = CASE WHEN timeliness IN (@OnTime, @Late) THEN timeliness ELSE @Timeliness END,
               totals_version = @TotalsVersion, writes = writes + 1
        WHERE {ReportKey} AND totals_version < @TotalsVersion
        """;

    private const string ReportInsert = """
        INSERT INTO rm_reports (unit_code, period, kind, status, timeliness, totals, as_of, version, totals_version, writes)
        VALUES (@UnitCode, @Period, @Kind, @Status, @Timeliness, @Totals, @AsOf, @Version, @TotalsVersion, 1)
        """;

    /// <summary>A submission: its totals and timeliness, and the status Submitted when newer.</summary>
    public static Task<IEnumerable<ReportRow>> SubmitAsync(DbSession s, ReportChange change) => ChangeReportAsync(s, change, [ReportTotalsUpdate, ReportStatusUpdate]);

    /// <summary>A review (accepted, returned): the status when newer; a report not submitted here yet is kept without totals until its submission comes.</summary>
    public static Task<IEnumerable<ReportRow>> ReviewAsync(DbSession s, ReportChange change) => ChangeReportAsync(s, change, [ReportStatusUpdate]);

    private static async Task<IEnumerable<ReportRow>> ChangeReportAsync(DbSession s, ReportChange change, string[] updates)
    {
        if (!await UpsertAsync(s, updates, $"SELECT COUNT(*) FROM rm_reports WHERE {ReportKey}", ReportInsert, change)) return [];
        return [await s.QuerySingleAsync<ReportRow>($"SELECT {ReportColumns} FROM rm_reports WHERE {ReportKey}", change)];
    }
}

/// <summary>
/// Unit events may be consumed in any order (a closing before the registration it follows): each one creates the
/// row if it is missing and changes only its own field, in one statement.
/// </summary>
public sealed class UnitRegisteredProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<UnitRegistered, UnitRow>(d, m, c)
{
    // A rename consumed first already holds the newer name.
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitRegistered e, DbSession s) =>
        ReadModelStore.ChangeUnitAsync(s, new(e.Code, Name: e.Name), ReadModelStore.UnitField.NameIfUnnamed);
}

public sealed class UnitRenamedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<UnitRenamed, UnitRow>(d, m, c)
{
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitRenamed e, DbSession s) =>
        ReadModelStore.ChangeUnitAsync(s, new(e.Code, Name: e.NewName), ReadModelStore.UnitField.Name);
}

public sealed class UnitClosedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<UnitClosed, UnitRow>(d, m, c)
{
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitClosed e, DbSession s) =>
        ReadModelStore.ChangeUnitAsync(s, new(e.Code, ClosedOn: e.ClosedOn), ReadModelStore.UnitField.ClosedOn);
}

public sealed class UnitMergedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<UnitMerged, UnitRow>(d, m, c)
{
    protected override Task<IEnumerable<UnitRow>> ChangeAsync(UnitMerged e, DbSession s) =>
        ReadModelStore.ChangeUnitAsync(s, new(e.Code, ClosedOn: e.EffectiveOn), ReadModelStore.UnitField.ClosedOn);
}

public sealed class TargetsDesignatedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TargetsDesignated, object>(d, m, c)
{
    protected override async Task<IEnumerable<object>> ChangeAsync(TargetsDesignated e, DbSession s)
    {
        var saved = new List<object>();
        foreach (var target in e.Targets)
        {
            // The designation names the village and its township: a unit the organizations events have not named yet gets these names.
            if (target.VillageName.Length > 0)
                saved.AddRange(await ReadModelStore.ChangeUnitAsync(s, new(target.VillageCode, Name: target.VillageName), ReadModelStore.UnitField.NameIfUnnamed));
            if (target.TownshipName.Length > 0)
                saved.AddRange(await ReadModelStore.ChangeUnitAsync(s, new(OrgCode.Parse(target.VillageCode).AncestorAt(OrgLevel.Township).Value, Name: target.TownshipName),
                    ReadModelStore.UnitField.NameIfUnnamed));
            // Designated on the day it was decided: a designation entered as history carries it, a live one is decided when published.
            saved.AddRange(await ReadModelStore.DesignateAsync(s, new(target.VillageCode, e.CampaignYear, target.VillageName, TargetStatus.Designated,
                e.DecidedOn ?? LocalDate(e.OccurredAt), e.CampaignEndsOn, e.OccurredAt.UtcDateTime, target.Version, target.Version)));
        }
        return saved;
    }
}

/// <summary>
/// The target status changes: 转化 (transformed) on acceptance, 回炉 (reopened) on a failed acceptance or look-back. A target
/// whose designation has not come yet is kept dated by the review's own date (AcceptedOn; AcceptanceFailed carries none, so
/// its OccurredAt), until the designation's date replaces it.
/// </summary>
public sealed class TargetTransformedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TargetTransformed, TargetRow>(d, m, c)
{
    protected override Task<IEnumerable<TargetRow>> ChangeAsync(TargetTransformed e, DbSession s) => ReadModelStore.SetTargetStatusAsync(s,
        new(e.VillageCode, e.CampaignYear, e.VillageName, TargetStatus.Transformed, e.AcceptedOn, null, e.OccurredAt.UtcDateTime, e.Version, 0));
}

public sealed class AcceptanceFailedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<AcceptanceFailed, TargetRow>(d, m, c)
{
    protected override Task<IEnumerable<TargetRow>> ChangeAsync(AcceptanceFailed e, DbSession s) => ReadModelStore.SetTargetStatusAsync(s,
        new(e.VillageCode, e.CampaignYear, e.VillageName, TargetStatus.Reopened, LocalDate(e.OccurredAt), null, e.OccurredAt.UtcDateTime, e.Version, 0));
}

/// <summary>An earlier campaign's failed acceptance entered as history: Reopened from the archived review's date.</summary>
public sealed class PastAcceptanceFailedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<PastAcceptanceFailedRecorded, TargetRow>(d, m, c)
{
    protected override Task<IEnumerable<TargetRow>> ChangeAsync(PastAcceptanceFailedRecorded e, DbSession s) => ReadModelStore.SetTargetStatusAsync(s,
        new(e.VillageCode, e.CampaignYear, e.VillageName, TargetStatus.Reopened, e.ReviewedOn, null, e.OccurredAt.UtcDateTime, e.Version, 0));
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
/// Every measure event carries the measure's state and version; the dates of completion and closing come from the
/// events themselves. Each event also appends the status and deadline it reports to the measure's history, even when it
/// arrives after a newer one: the history is ordered by the events' times, so any past date is answered as it was then.
/// </summary>
public abstract class MeasureProjection<TMessage>(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<TMessage, object>(d, m, c)
    where TMessage : class, IIntegrationEvent
{
    protected async Task<IEnumerable<object>> SaveAsync(DbSession s, MeasureSnapshot snapshot, DateTimeOffset at, ReadModelStore.MeasureDates dates)
    {
        var saved = new List<object>(await ReadModelStore.AppendAsync(s, new StatusChange { MeasureId = snapshot.MeasureId, At = at.UtcDateTime, Status = snapshot.Status, OnDate = LocalDate(at), Deadline = snapshot.Deadline }));
        var date = LocalDate(at);
        var row = new MeasureRow
        {
            Id = snapshot.MeasureId, VillageCode = snapshot.VillageCode, CampaignYear = snapshot.CampaignYear, Deadline = snapshot.Deadline, Status = snapshot.Status,
            CompletedOn = dates == ReadModelStore.MeasureDates.Completed ? date : null, ClosedOn = dates == ReadModelStore.MeasureDates.Closed ? date : null,
            AsOf = at.UtcDateTime, Version = snapshot.Version,
        };
        // The row first: the model keeps the history under the measure.
        saved.InsertRange(0, await ReadModelStore.SaveAsync(s, row, dates));
        return saved;
    }
}

public sealed class MeasureCreatedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureCreated>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureCreated e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, ReadModelStore.MeasureDates.Keep);
}

public sealed class MeasureProgressedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureProgressed>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureProgressed e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, ReadModelStore.MeasureDates.Keep);
}

public sealed class MeasureCompletedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureCompleted>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureCompleted e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, ReadModelStore.MeasureDates.Completed);
}

public sealed class MeasureClosedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureClosed>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureClosed e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, ReadModelStore.MeasureDates.Closed);
}

public sealed class MeasureReopenedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : MeasureProjection<MeasureReopened>(d, m, c)
{
    protected override Task<IEnumerable<object>> ChangeAsync(MeasureReopened e, DbSession s) => SaveAsync(s, e.Measure, e.OccurredAt, ReadModelStore.MeasureDates.Cleared);
}

/// <summary>
/// Reports: a submission sets the totals and, the first time, the timeliness; reviews change the status. A report's
/// version is its revision and step (ReportVersion), carried by the event or, before versions, derived from its revision.
/// </summary>
public sealed class ReportSubmittedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<ReportSubmitted, ReportRow>(d, m, c)
{
    protected override Task<IEnumerable<ReportRow>> ChangeAsync(ReportSubmitted e, DbSession s)
    {
        var version = e.Version > 0 ? e.Version : ReportVersion.Submitted(e.Revision);
        return ReadModelStore.SubmitAsync(s, new(e.UnitCode, e.Period, e.Kind, ReportStatus.Submitted, e.Timeliness, JsonSerializer.Serialize(e.Totals), e.OccurredAt.UtcDateTime, version, version));
    }
}

public sealed class ReportAcceptedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<ReportAccepted, ReportRow>(d, m, c)
{
    protected override Task<IEnumerable<ReportRow>> ChangeAsync(ReportAccepted e, DbSession s) =>
        ReadModelStore.ReviewAsync(s, ReportProjections.Review(e.UnitCode, e.Period, e.Kind, ReportStatus.Accepted, e.OccurredAt, e.Version > 0 ? e.Version : ReportVersion.Reviewed(e.Revision)));
}

public sealed class ReportReturnedProjection(Database<GatewayModule> d, ProgressModel m, TimeProvider c) : ReadModelConsumer<ReportReturned, ReportRow>(d, m, c)
{
    protected override Task<IEnumerable<ReportRow>> ChangeAsync(ReportReturned e, DbSession s) =>
        ReadModelStore.ReviewAsync(s, ReportProjections.Review(e.UnitCode, e.Period, e.Kind, ReportStatus.Returned, e.OccurredAt, e.Version > 0 ? e.Version : ReportVersion.Reviewed(e.Revision)));
}

internal static class ReportProjections
{
    /// <summary>No totals yet: a review consumed before its submission holds zeros (and no timeliness) until the submission comes.</summary>
    public static readonly string NoTotals = JsonSerializer.Serialize(new ReportIndicators(0, 0, 0, 0, 0, 0));

    public static ReadModelStore.ReportChange Review(string unit, string period, ReportKind kind, ReportStatus status, DateTimeOffset at, long version) =>
        new(unit, period, kind, status, Timeliness.Unspecified, NoTotals, at.UtcDateTime, version, 0);
}
