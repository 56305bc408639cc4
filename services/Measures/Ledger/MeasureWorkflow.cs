using System.Text.Json;
using Rectify.Events.Measures;
using Dapper;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

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
        var id = RequireId(request.MeasureId);
        var row = await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<MeasureRow>($"SELECT {MeasureRow.Columns} FROM measures WHERE id = @id", new { id }), ct)
            ?? throw new NotFoundException("measure", id);
        caller.EnsureCanRead(new Owned("measure", id, OrgCode.Parse(row.VillageCode)));
        var detail = new MeasureDetail { Measure = row.ToProto(clock.Today()) };
        detail.History.AddRange((await MeasureHistory.ReadAsync(database, id, ct)).Select(h => h.ToProto()));
        return detail;
    }

    public async Task<Measure> RecordProgressAsync(Caller caller, RecordProgressRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var id = CheckId(v, request.MeasureId);
        var today = clock.Today();
        var on = v.Date("on", request.On, required: false) ?? today;
        v.Check(on <= today, "on", "must not be in the future");
        v.Check(request.Percent is >= 0 and <= 100, "percent", "must be between 0 and 100");
        var note = v.Text("note", request.Note, 4000, required: false);
        var evidence = CheckEvidence(v, request.Evidence);
        v.ThrowIfAny();
        return await TransitionAsync(caller, id!, Authority.Write, MeasureRules.CanRecordProgress, "record progress on", (row, now) =>
        {
            row.Status = (int)MeasureStatus.InProgress;
            row.Percent = request.Percent;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Progressed, OnDate = on, Percent = request.Percent, Note = note, Evidence = evidence },
                new MeasureProgressed(row.Snapshot(), on, request.Percent, now));
        }, ct, async (session, row) =>
        {
            // Work on a measure starts with its plan: progress dated before the plan's start (or in 1900) is a typing error.
            var startsOn = await session.ExecuteScalarAsync<DateOnly>("SELECT starts_on FROM plans WHERE id = @PlanId", new { row.PlanId });
            if (on < startsOn) throw ValidationException.For("on", $"{on:yyyy-MM-dd} is before the plan's start on {startsOn:yyyy-MM-dd}");
        });
    }

    public async Task<Measure> CompleteAsync(Caller caller, CompleteMeasureRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var id = CheckId(v, request.MeasureId);
        var note = v.Text("note", request.Note, 4000, required: false);
        var evidence = CheckEvidence(v, request.Evidence);
        v.ThrowIfAny();
        return await TransitionAsync(caller, id!, Authority.Write, MeasureRules.CanComplete, "complete", (row, now) =>
        {
            row.Status = (int)MeasureStatus.Completed;
            row.Percent = 100;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Completed, OnDate = clock.Today(), Percent = 100, Note = note, Evidence = evidence },
                new MeasureCompleted(row.Snapshot(), now));
        }, ct);
    }

    public async Task<Measure> CloseAsync(Caller caller, CloseMeasureRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var id = CheckId(v, request.MeasureId);
        var verifier = v.Text("verifier", request.Verifier, 50);
        var note = v.Text("note", request.Note, 4000, required: false);
        v.ThrowIfAny();
        return await TransitionAsync(caller, id!, Authority.Verify, MeasureRules.CanClose, "close", (row, now) =>
        {
            row.Status = (int)MeasureStatus.Closed;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Closed, OnDate = clock.Today(), Verifier = verifier, Note = note },
                new MeasureClosed(row.Snapshot(), verifier!, now));
        }, ct);
    }

    public async Task<Measure> ReopenAsync(Caller caller, ReopenMeasureRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var id = CheckId(v, request.MeasureId);
        var reason = v.Text("reason", request.Reason, 4000);
        var newDeadline = v.Date("new_deadline", request.NewDeadline);
        var today = clock.Today();
        if (newDeadline is not null) v.Check(newDeadline > today, "new_deadline", "must be after today");
        v.ThrowIfAny();
        return await TransitionAsync(caller, id!, Authority.Verify, MeasureRules.CanReopen, "reopen", (row, now) =>
        {
            var previous = row.Deadline;
            row.Status = (int)MeasureStatus.Reopened;
            row.Deadline = newDeadline!.Value;
            row.ReopenCount++;
            return (new MeasureChangeRow { Kind = (int)MeasureChangeKind.Reopened, OnDate = today, Note = reason, NewDeadline = newDeadline },
                new MeasureReopened(row.Snapshot(), reason!, previous, now));
        }, ct, (_, row) =>
        {
            // 回炉 is redone within the campaign or its look-back (回头看) the year after, not in 2099.
            var latest = new DateOnly(row.CampaignYear + 1, 12, 31);
            if (newDeadline > latest)
                throw ValidationException.For("new_deadline", $"{newDeadline:yyyy-MM-dd} is after {latest:yyyy-MM-dd}, the end of campaign {row.CampaignYear}'s look-back year");
            return Task.CompletedTask;
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
            var (change, @event) = apply(row, now);
            row.UpdatedAt = now.UtcDateTime;
            var updated = await session.ExecuteAsync("""
                UPDATE measures SET status = @Status, percent = @Percent, deadline = @Deadline, reopen_count = @ReopenCount, updated_at = @UpdatedAt
                WHERE id = @Id AND status = @before
                """, new { row.Status, row.Percent, row.Deadline, row.ReopenCount, row.UpdatedAt, row.Id, before = (int)before });
            if (updated == 0)
                throw new PreconditionFailedException("CHANGED_CONCURRENTLY", id, "The measure changed while this request was applied; read it again.");
            change.MeasureId = id;
            change.StatusAfter = row.Status;
            change.RecordedBy = caller.Subject;
            change.RecordedAt = now.UtcDateTime;
            await MeasureHistory.AppendAsync(session, change);
            await session.PublishAsync(@event);
            return row.ToProto(clock.Today());
        }, ct);
    }

    private static string RequireId(string id) =>
        Guid.TryParse(id, out _) ? id : throw ValidationException.For("measure_id", "must be a measure id");

    private static string? CheckId(Violations v, string id) => v.Check(Guid.TryParse(id, out _), "measure_id", "must be a measure id") ? id : null;

    private static string? CheckEvidence(Violations v, IReadOnlyList<string> evidence)
    {
        v.Check(evidence.Count <= 20, "evidence", "may list at most 20 references");
        for (var i = 0; i < evidence.Count; i++) v.Text($"evidence[{i}]", evidence[i], 500);
        return evidence.Count == 0 ? null : JsonSerializer.Serialize(evidence.Select(e => e.Trim()));
    }
}
