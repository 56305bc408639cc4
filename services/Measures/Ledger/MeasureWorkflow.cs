using System.Text.Json;
using Rectify.Events.Measures;
using Dapper;
using Rectify.Kernel;
using Rectify.Measures.Evidence;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using MeasureStatus = Rectify.Measures.V1.MeasureStatus;

namespace Rectify.Measures.Ledger;

/// <summary>
/// A measure's life: NotStarted → InProgress → Completed → Closed (销号), and
/// Reopened (回炉) from Completed or Closed. Every other transition is refused.
/// Each change updates the measure's current state and appends to its history.
/// </summary>
public sealed class MeasureWorkflow(Database<MeasuresModule> database, TimeProvider clock)
{
    public async Task<MeasureDetail> GetAsync(Caller caller, GetMeasureRequest request, CancellationToken ct)
    {
        var id = GetMeasureInput.Parse(request).MeasureId;
        var row = await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<MeasureRow>($"SELECT {MeasureRow.Columns} FROM measures WHERE id = @id", new { id }), ct)
            ?? throw new NotFoundException("measure", id);
        caller.EnsureCanRead(new Owned("measure", id, OrgCode.Parse(row.VillageCode)));
        var detail = new MeasureDetail { Measure = row.ToProto(clock.Today()) };
        detail.History.AddRange((await MeasureHistory.ReadAsync(database, id, ct)).Select(h => h.ToProto()));
        return detail;
    }

    public async Task<Measure> RecordProgressAsync(Caller caller, RecordProgressRequest request, CancellationToken ct)
    {
        var progress = RecordProgressInput.Parse(request, clock.Today());
        var on = progress.On;
        return await TransitionAsync(caller, progress.MeasureId, Authority.Write, MeasureRules.CanRecordProgress, "record progress on", (row, now) =>
        {
            row.Status = (int)MeasureStatus.InProgress;
            row.Percent = progress.Percent;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Progressed, OnDate = on, Percent = progress.Percent, Note = progress.Note, Evidence = progress.Evidence },
                new MeasureProgressed(row.Snapshot(), on, progress.Percent, now));
        }, ct, async (session, row) =>
        {
            // Work on a measure starts with its plan: progress dated before the plan's start (or in 1900) is a typing error.
            var startsOn = await session.ExecuteScalarAsync<DateOnly>("SELECT starts_on FROM plans WHERE id = @PlanId", new { row.PlanId });
            if (on < startsOn) throw ValidationException.For("on", $"{on:yyyy-MM-dd} is before the plan's start on {startsOn:yyyy-MM-dd}");
            await EvidenceStore.CheckReferencesAsync(session, row.Id, request.Evidence);
            // An ended campaign's history is entered in the order it happened.
            if (await CampaignEndedAsync(session, row) && await LastDatedChangeAsync(session, row.Id) is { } last && on < last)
                throw ValidationException.For("on", $"{on:yyyy-MM-dd} is before the measure's last recorded change on {last:yyyy-MM-dd}; history is entered in the order it happened");
        });
    }

    public async Task<Measure> CompleteAsync(Caller caller, CompleteMeasureRequest request, CancellationToken ct)
    {
        var completion = CompleteMeasureInput.Parse(request, clock.Today());
        var occurredOn = completion.OccurredOn;
        return await TransitionAsync(caller, completion.MeasureId, Authority.Write, MeasureRules.CanComplete, "complete", (row, now) =>
        {
            row.Status = (int)MeasureStatus.Completed;
            row.Percent = 100;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Completed, OnDate = occurredOn ?? clock.Today(), Percent = 100, Note = completion.Note, Evidence = completion.Evidence },
                new MeasureCompleted(row.Snapshot(), now, occurredOn));
        }, ct, async (session, row) =>
        {
            await EvidenceStore.CheckReferencesAsync(session, row.Id, request.Evidence);
            await CheckHistoryAsync(session, row, occurredOn);
        });
    }

    public async Task<Measure> CloseAsync(Caller caller, CloseMeasureRequest request, CancellationToken ct)
    {
        var closing = CloseMeasureInput.Parse(request, clock.Today());
        var (verifier, occurredOn) = (closing.Verifier, closing.OccurredOn);
        return await TransitionAsync(caller, closing.MeasureId, Authority.Verify, MeasureRules.CanClose, "close", (row, now) =>
        {
            row.Status = (int)MeasureStatus.Closed;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Closed, OnDate = occurredOn ?? clock.Today(), Verifier = verifier, Note = closing.Note },
                new MeasureClosed(row.Snapshot(), verifier!, now, occurredOn));
        }, ct, (session, row) => CheckHistoryAsync(session, row, occurredOn));
    }

    public async Task<Measure> ReopenAsync(Caller caller, ReopenMeasureRequest request, CancellationToken ct)
    {
        var today = clock.Today();
        var reopening = ReopenMeasureInput.Parse(request, today);
        var (reason, newDeadline, occurredOn) = (reopening.Reason, reopening.NewDeadline, reopening.OccurredOn);
        return await TransitionAsync(caller, reopening.MeasureId, Authority.Verify, MeasureRules.CanReopen, "reopen", (row, now) =>
        {
            var previous = row.Deadline;
            row.Status = (int)MeasureStatus.Reopened;
            row.Deadline = newDeadline;
            row.ReopenCount++;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Reopened, OnDate = occurredOn ?? today, Note = reason, NewDeadline = newDeadline },
                new MeasureReopened(row.Snapshot(), reason!, previous, now, occurredOn));
        }, ct, async (session, row) =>
        {
            // 回炉 is redone within the campaign or its look-back (回头看) the year after, not in 2099.
            var latest = new DateOnly(row.CampaignYear + 1, 12, 31);
            if (newDeadline > latest)
                throw ValidationException.For("new_deadline", $"{newDeadline:yyyy-MM-dd} is after {latest:yyyy-MM-dd}, the end of campaign {row.CampaignYear}'s look-back year");
            await CheckHistoryAsync(session, row, occurredOn);
        });
    }

    private enum Authority
    {
        /// <summary>The village itself or a unit above it.</summary>
        Write,
        /// <summary>Only a unit above the village: the township verifies (销号) and sends back (回炉).</summary>
        Verify,
    }

    /// <summary>
    /// Loads the measure, checks the caller and the transition, applies it, and
    /// writes state, history and event in one transaction. The update is
    /// conditional on the status read, so two racing transitions cannot both win.
    /// </summary>
    private async Task<Measure> TransitionAsync(Caller caller, string id, Authority authority, Func<MeasureStatus, bool> allowed, string verb,
        Func<MeasureRow, DateTimeOffset, (MeasureChangeRow Change, Rectify.Events.IIntegrationEvent Event)> apply, CancellationToken ct,
        Func<DbSession, MeasureRow, Task>? checkInput = null)
    {
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session =>
        {
            var row = await session.QuerySingleOrDefaultAsync<MeasureRow>($"SELECT {MeasureRow.Columns} FROM measures WHERE id = @id", new { id })
                ?? throw new NotFoundException("measure", id);
            var measure = new Owned("measure", id, OrgCode.Parse(row.VillageCode));
            if (authority == Authority.Verify) caller.EnsureCanManage(measure, "verify (销号) or reopen (回炉) its measures");
            else caller.EnsureCanWrite(measure);
            var before = row.State;
            if (!allowed(before))
                throw new PreconditionFailedException("INVALID_TRANSITION", id, $"Cannot {verb} a measure that is {before}.");
            // Input checked against the stored measure only once the caller may see it, so a refusal reveals nothing of another unit's.
            if (checkInput is not null) await checkInput(session, row);
            // The event carries the version this change makes.
            row.Version++;
            var (change, @event) = apply(row, now);
            row.UpdatedAt = now.UtcDateTime;
            await TargetMeasureCounts.LockAsync(session, row.VillageCode, row.CampaignYear);
            var updated = await session.ExecuteAsync("""
                UPDATE measures SET status = @Status, "percent" = @Percent, deadline = @Deadline, reopen_count = @ReopenCount, updated_at = @UpdatedAt, version = @Version
                WHERE id = @Id AND status = @before
                """, new { row.Status, row.Percent, row.Deadline, row.ReopenCount, row.UpdatedAt, row.Version, row.Id, before = (int)before });
            if (updated == 0)
                throw new PreconditionFailedException("CHANGED_CONCURRENTLY", id, "The measure changed while this request was applied; read it again.");
            await TargetMeasureCounts.RecountAsync(session, row.VillageCode, row.CampaignYear, clock.Today());
            change.MeasureId = id;
            change.StatusAfter = row.Status;
            change.RecordedBy = caller.Subject;
            change.RecordedAt = now.UtcDateTime;
            await MeasureHistory.AppendAsync(session, change);
            await session.PublishAsync(@event);
            return row.ToProto(clock.Today());
        }, ct);
    }

    /// <summary>The date a change happened, for history: a real date, not in the future; the rest is checked against the measure.</summary>
    internal static DateOnly? OccurredOn(Violations v, Common.V1.Date? occurredOn, DateOnly today)
    {
        var date = v.Date("occurred_on", occurredOn, required: false);
        if (date is { } d) v.Check(d <= today, "occurred_on", "must not be in the future");
        return date;
    }

    /// <summary>
    /// History with its own date is for a campaign that has ended (its end before today): a running campaign's changes
    /// are dated the day they are made, so its ledger cannot be backdated. The date falls from the plan's start to the end
    /// of the campaign's look-back year, and not before the measure's last dated change: history is entered in order.
    /// </summary>
    private async Task CheckHistoryAsync(DbSession session, MeasureRow row, DateOnly? occurredOn)
    {
        if (occurredOn is not { } on) return;
        var endsOn = await session.ExecuteScalarAsync<DateOnly>(
            "SELECT campaign_ends_on FROM targets WHERE village_code = @VillageCode AND campaign_year = @CampaignYear", new { row.VillageCode, row.CampaignYear });
        if (endsOn >= clock.Today())
            throw ValidationException.For("occurred_on", $"is only for a campaign that has ended; the {row.CampaignYear} campaign runs to {endsOn:yyyy-MM-dd}, and its changes are dated the day they are made");
        var startsOn = await session.ExecuteScalarAsync<DateOnly>("SELECT starts_on FROM plans WHERE id = @PlanId", new { row.PlanId });
        if (on < startsOn) throw ValidationException.For("occurred_on", $"{on:yyyy-MM-dd} is before the plan's start on {startsOn:yyyy-MM-dd}");
        var latest = new DateOnly(row.CampaignYear + 1, 12, 31);
        if (on > latest) throw ValidationException.For("occurred_on", $"{on:yyyy-MM-dd} is after {latest:yyyy-MM-dd}, the end of campaign {row.CampaignYear}'s look-back year");
        if (await LastDatedChangeAsync(session, row.Id) is { } last && on < last)
            throw ValidationException.For("occurred_on", $"{on:yyyy-MM-dd} is before the measure's last recorded change on {last:yyyy-MM-dd}; history is entered in the order it happened");
    }

    private async Task<bool> CampaignEndedAsync(DbSession session, MeasureRow row) =>
        await session.ExecuteScalarAsync<DateOnly>(
            "SELECT campaign_ends_on FROM targets WHERE village_code = @VillageCode AND campaign_year = @CampaignYear", new { row.VillageCode, row.CampaignYear }) < clock.Today();

    /// <summary>The latest date of the measure's progress, completion, closing or reopening (its creation is dated by its deadline).</summary>
    private static async Task<DateOnly?> LastDatedChangeAsync(DbSession session, string measureId)
    {
        var dates = await session.QueryAsync<DateOnly>(
            "SELECT on_date FROM measure_changes WHERE measure_id = @measureId AND kind <> @created AND on_date IS NOT NULL",
            new { measureId, created = (int)MeasureChangeKind.Created });
        return dates.Any() ? dates.Max() : null;
    }

    internal static string? CheckId(Violations v, string id) => v.Check(Guid.TryParse(id, out _), "measure_id", "must be a measure id") ? id : null;

    /// <summary>The evidence references (trimmed) as stored: a JSON list, or null when none.</summary>
    internal static string? CheckEvidence(Violations v, IReadOnlyList<string> evidence)
    {
        v.Check(evidence.Count <= 20, "evidence", "may list at most 20 references");
        for (var i = 0; i < evidence.Count; i++) v.Text($"evidence[{i}]", evidence[i], 500);
        return evidence.Count == 0 ? null : JsonSerializer.Serialize(evidence.Select(e => e.Trim()));
    }
}
