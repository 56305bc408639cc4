using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.Inbox;
using Rectify.Notifications.V1;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Notifications.Delivery;

/// <summary>
/// Sends due deliveries: each one once it succeeds; a 5xx, a timeout or no answer is retried with exponential backoff
/// (on the injected clock), a 4xx is not; after the last attempt it fails, and a channel that fails again and again is
/// marked failing, reported in its unit's inbox and skipped from then on, never retried forever. Deliveries held for
/// quiet hours go out when they end. A delivery is recorded sent only after the receiver accepted it, so a restart in
/// between sends it again rather than losing it. Deliveries of a bundled kind for one contact, unit and day go out as
/// one message (Bundles), and the answer is recorded on each.
/// </summary>
public sealed class DeliveryWorker(Database<NotificationsModule> database, DeliverySignal signal, ChannelSender sender, NotificationsOptions options,
    TimeProvider clock, ILogger<DeliveryWorker> logger) : BackgroundService
{
    public const string HttpClientName = ChannelSender.HttpClientName;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    // One sender among replicas: a delivery goes out only while this replica holds the lease, which outlasts any one send.
    private readonly Lease _lease = new(database, "delivery-sender", TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, options.RequestTimeout.Ticks * 4)), clock);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.SendDeliveries) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await SendDueAsync(stoppingToken);
                if (sent > 0) continue;
                // Standby: another replica sends; look again at the poll.
                if (!_lease.Held)
                {
                    await signal.WaitAsync(Poll, stoppingToken);
                    continue;
                }
                // Wake on new deliveries, at the next due time on the injected clock, or at the poll.
                var next = await database.ReadAsync(c => c.ExecuteScalarAsync<DateTime?>(
                    $"SELECT MIN(next_attempt_at) FROM deliveries WHERE {database.Sql.InList("status", "@waiting")}", new { waiting = Waiting }), stoppingToken);
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var due = next is { } at ? Task.Delay(UntilDue(at, clock.GetUtcNow()), clock, wake.Token) : Task.Delay(Timeout.Infinite, wake.Token);
                await Task.WhenAny(signal.WaitAsync(Poll, stoppingToken), due);
                await wake.CancelAsync();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning(e, "Sending notifications failed; trying again shortly");
                await Task.Delay(Poll, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _lease.ReleaseOnStopAsync(logger, cancellationToken);
    }

    /// <summary>
    /// How long to sleep until the next delivery is due: at most a day, since a timer takes no more than ~49 days and a
    /// delivery held for weeks (quiet hours, a retry far ahead) must not make the wait throw; the loop then looks again.
    /// </summary>
    public static TimeSpan UntilDue(DateTime nextAttemptUtc, DateTimeOffset now)
    {
        var wait = DateTime.SpecifyKind(nextAttemptUtc, DateTimeKind.Utc) - now.UtcDateTime;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : wait;
    }

    private static readonly int[] Waiting = [(int)DeliveryStatus.Pending, (int)DeliveryStatus.Held];

    private const string OutgoingColumns = """
        d.id AS DeliveryId, d.attempts AS Attempts, d.batch_id AS BatchId, n.id AS NotificationId, n.kind AS Kind, n.unit_code AS UnitCode,
        n.title AS Title, n.text AS Text, n.line AS Line, n.occurrence_key AS OccurrenceKey, n.created_at AS CreatedAt, c.id AS ContactId,
        c.kind AS ContactKind, c.url AS Url, c.secret AS Secret, c.quiet_from AS QuietFrom, c.quiet_until AS QuietUntil
        """;

    /// <summary>
    /// Deliveries claimed and not yet recorded: at most this many per sender, so the senders never wait for a claim or
    /// for a group of answers to be recorded (SQLite's single writer may keep a group waiting behind the filing).
    /// </summary>
    private int MaxInFlight => Senders * 16;

    private int Senders => Math.Max(1, options.Parallelism);

    /// <summary>
    /// Sends every delivery due now and whatever is filed or falls due meanwhile, without rounds: a claimer keeps up to
    /// <see cref="MaxInFlight"/> deliveries in flight, the senders take them one message at a time, and a recorder records
    /// the answers in groups; a delivery is claimed again only after its answer is recorded (or, after a failure or a
    /// restart, never recorded: then it is sent again, never lost). Returns how many deliveries it claimed, once nothing
    /// is due and nothing is in flight (none on a replica without the lease).
    /// </summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        if (!await _lease.TryAcquireAsync(ct)) return 0;
        var work = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleWriter = true });
        var answers = Channel.CreateUnbounded<Attempt>(new UnboundedChannelOptions { SingleReader = true });
        // Delivery ids recorded (or handed back unsent): the claimer drops them from its in-flight set before its next claim,
        // so a claim that read a row before its answer was committed still sees it in flight, and one after sees it recorded.
        var recorded = new ConcurrentQueue<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var recording = RecordAllAsync(answers.Reader, recorded, stop, ct);
        var senders = Enumerable.Range(0, Senders).Select(_ => SendAllAsync(work.Reader, answers.Writer, recorded, stop)).ToList();
        var inFlight = new HashSet<string>(StringComparer.Ordinal);
        var claimed = 0;
        Exception? failure = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                while (recorded.TryDequeue(out var id)) inFlight.Remove(id);
                // A batch that outlasts the lease stops claiming: another replica may hold it now. Renewed here while busy.
                if (!await _lease.TryAcquireAsync(stop.Token)) break;
                // Claimed again once half is free: each claim reads past those in flight, at most as many rows again as it claims.
                var room = MaxInFlight - inFlight.Count;
                var batch = room < MaxInFlight / 2 ? [] : await ClaimAsync(inFlight, room, stop.Token);
                foreach (var message in batch)
                {
                    foreach (var r in message.Rows) inFlight.Add(r.DeliveryId);
                    claimed += message.Rows.Count;
                    work.Writer.TryWrite(message);
                }
                if (batch.Count > 0) continue;
                if (inFlight.Count == 0 && recorded.IsEmpty) break;
                // Rung by the recorder after each group, and by the consumers when they file new deliveries.
                await signal.WaitAsync(Poll, stop.Token);
            }
        }
        catch (Exception e) { failure = e; }
        // What was claimed is sent and recorded before returning; a failure stops them, and the cause is thrown, not the stop.
        work.Writer.TryComplete();
        try { await Task.WhenAll(senders); }
        catch (Exception e) { failure = Cause(failure, e); }
        answers.Writer.TryComplete();
        try { await recording; }
        catch (Exception e) { failure = Cause(failure, e); }
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        return claimed;
    }

    private static Exception Cause(Exception? first, Exception next) => first is null or OperationCanceledException ? next : first;

    /// <summary>Due deliveries not in flight, as messages, up to about <paramref name="room"/> of them (a bundle takes its companions along).</summary>
    private async Task<List<Outgoing>> ClaimAsync(HashSet<string> inFlight, int room, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (due, companions) = await database.ReadAsync(async c =>
        {
            // Those in flight are still waiting in the table, and the longest due: read past them.
            var limit = room + inFlight.Count;
            var read = (await c.QueryAsync<OutgoingRow>($"""
                SELECT {OutgoingColumns}
                FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN contacts c ON c.id = d.contact_id
                WHERE {database.Sql.InList("d.status", "@waiting")} AND d.next_attempt_at <= @now
                ORDER BY d.next_attempt_at
                {database.Sql.Limit("@batch")}
                """, new { waiting = Waiting, now = now.UtcDateTime, batch = limit })).AsList();
            var fresh = read.Where(r => !inFlight.Contains(r.DeliveryId)).ToList();
            var due = fresh.Take(room).ToList();
            var everyDue = read.Count < limit && fresh.Count <= room;
            // A bundle goes when its first delivery is due and takes the others of its day still waiting with it. When the
            // read above was not cut short, every due one is in it already: only those not due yet are read again.
            var contacts = due.Where(r => Bundles.Includes(r.Kind)).Select(r => r.ContactId).Distinct().ToArray();
            var companions = contacts.Length == 0 ? [] : (await c.QueryAsync<OutgoingRow>($"""
                SELECT {OutgoingColumns}
                FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN contacts c ON c.id = d.contact_id
                WHERE {database.Sql.InList("d.contact_id", "@contacts")} AND {database.Sql.InList("d.status", "@waiting")}
                  AND {database.Sql.InList("n.kind", "@kinds")}{(everyDue ? " AND d.next_attempt_at > @now" : "")}
                """, new { contacts, waiting = Waiting, kinds = Bundles.Kinds.ToArray(), now = now.UtcDateTime }))
                .Where(r => !inFlight.Contains(r.DeliveryId)).ToList();
            return (due, companions);
        }, ct);
        var dueIds = due.Select(r => r.DeliveryId).ToHashSet();
        return due.Concat(companions).DistinctBy(r => r.DeliveryId)
            .GroupBy(r => Bundles.Includes(r.Kind) ? Bundles.GroupOf(r) : r.DeliveryId)
            .Where(g => g.Any(r => dueIds.Contains(r.DeliveryId)))
            .Select(g => new Outgoing(g.OrderBy(r => r.CreatedAt).ThenBy(r => r.OccurrenceKey, StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>One sender: a message at a time, its answer handed to the recorder. One that fails stops the sending.</summary>
    private async Task SendAllAsync(ChannelReader<Outgoing> work, ChannelWriter<Attempt> answers, ConcurrentQueue<string> recorded, CancellationTokenSource stop)
    {
        await Task.Yield();
        try
        {
            while (await work.WaitToReadAsync(stop.Token))
                while (work.TryRead(out var message))
                {
                    // Not sent once the lease is lost (another replica may hold it now): handed back unsent, claimed again if it comes back.
                    if (!_lease.Held)
                    {
                        foreach (var r in message.Rows) recorded.Enqueue(r.DeliveryId);
                        signal.Notify();
                        continue;
                    }
                    var now = clock.GetUtcNow();
                    var answer = await sender.SendAsync(message, now, stop.Token);
                    answers.TryWrite(new Attempt(message, now, answer));
                }
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private sealed record Attempt(Outgoing Message, DateTimeOffset Now, ChannelSender.Answer Answer);

    /// <summary>
    /// Records the answers as they come, whatever has come meanwhile in one transaction (SQLite has one writer: a
    /// transaction per answer queued them behind each other), then hands their ids back to the claimer and rings it. A
    /// record that fails stops the sending; what was sent and not recorded is sent again.
    /// </summary>
    private async Task RecordAllAsync(ChannelReader<Attempt> answers, ConcurrentQueue<string> recorded, CancellationTokenSource stop, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            var group = new List<Attempt>();
            while (await answers.WaitToReadAsync(ct))
            {
                group.Clear();
                while (group.Count < 500 && answers.TryRead(out var attempt)) group.Add(attempt);
                await RecordAsync(group, ct);
                foreach (var attempt in group)
                    foreach (var r in attempt.Message.Rows) recorded.Enqueue(r.DeliveryId);
                signal.Notify();
            }
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task RecordAsync(IReadOnlyList<Attempt> group, CancellationToken ct)
    {
        var outcomes = new List<(bool Delivered, bool Final)>(group.Count);
        var markedFailing = false;
        await database.WriteAsync(async session =>
        {
            outcomes.Clear();
            markedFailing = false;
            // Usually every answer is a success or a retry: three prepared statements for the whole group. A final failure
            // counts against its contact in the order the answers came, so a group with one is recorded message by message.
            if (group.All(a => !Outcome(a.Message, a.Now, a.Answer).Final))
            {
                await RecordGroupAsync(session, group);
                outcomes.AddRange(group.Select(a => (a.Answer.Delivered, false)));
                return;
            }
            foreach (var (message, now, answer) in group)
            {
                var (final, marked) = await RecordAsync(session, message, now, answer.Status, answer.Delivered, answer.Retry, answer.Error);
                outcomes.Add((answer.Delivered, final));
                markedFailing |= marked;
            }
        }, ct);
        foreach (var (delivered, final) in outcomes) DeliveryMetrics.Attempted(delivered, final);
        if (markedFailing) signal.Notify();
    }

    /// <summary>What an answer does to a message: its try count, whether it failed for good, when it goes again, its new status.</summary>
    private (int Attempts, bool Final, DateTimeOffset Next, DeliveryStatus Status) Outcome(Outgoing message, DateTimeOffset now, ChannelSender.Answer answer)
    {
        // One message, one attempt: a bundle counts its tries as its most tried delivery does.
        var attempts = message.Rows.Max(r => r.Attempts) + 1;
        var final = !answer.Delivered && (!answer.Retry || attempts >= options.MaxAttempts);
        var retryAt = now + options.FirstRetryAfter * Math.Pow(2, attempts - 1);
        var next = QuietHours.Parse(message.First.QuietFrom, message.First.QuietUntil)?.SendableAt(retryAt) ?? retryAt;
        return (attempts, final, next, answer.Delivered ? DeliveryStatus.Sent : final ? DeliveryStatus.Failed : DeliveryStatus.Pending);
    }

    /// <summary>Answers none of which is a final failure, recorded as <see cref="RecordAsync(DbSession, Outgoing, DateTimeOffset, int, bool, bool, string?)"/> records each.</summary>
    private async Task RecordGroupAsync(DbSession session, IReadOnlyList<Attempt> group)
    {
        var attempts = new List<object>();
        var updates = new List<object>();
        foreach (var (message, now, answer) in group)
        {
            var outcome = Outcome(message, now, answer);
            foreach (var r in message.Rows)
            {
                attempts.Add(new { id = r.DeliveryId, at = now.UtcDateTime, status = answer.Status, error = answer.Error });
                updates.Add(new
                {
                    s = (int)outcome.Status, attempts = outcome.Attempts, next = outcome.Next.UtcDateTime, sent = answer.Delivered ? now.UtcDateTime : (DateTime?)null,
                    batch = message.BatchId, id = r.DeliveryId,
                });
            }
        }
        await session.ExecuteAsync("INSERT INTO delivery_attempts (delivery_id, at, status_code, error) VALUES (@id, @at, @status, @error)", attempts);
        await session.ExecuteAsync("UPDATE deliveries SET status = @s, attempts = @attempts, next_attempt_at = @next, sent_at = @sent, batch_id = @batch WHERE id = @id", updates);
        await session.ExecuteAsync(ContactAnswered, group.Where(a => a.Answer.Delivered).Select(a => a.Message.First.ContactId).Distinct(StringComparer.Ordinal).Select(id => new { id }).ToList());
    }

    // Written only when there is something to clear: a healthy contact's row is left alone, not rewritten per delivery.
    private const string ContactAnswered = "UPDATE contacts SET consecutive_failures = 0, last_error = NULL WHERE id = @id AND (consecutive_failures <> 0 OR last_error IS NOT NULL)";

    /// <summary>One message's answer on each of its deliveries and on its contact; returns whether it failed for good and whether that marked the contact failing.</summary>
    private async Task<(bool Final, bool MarkedFailing)> RecordAsync(DbSession session, Outgoing message, DateTimeOffset now, int status, bool delivered, bool retry, string? error)
    {
        var row = message.First;
        var (attempts, final, next, newStatus) = Outcome(message, now, new ChannelSender.Answer(status, delivered, retry, error));
        var markedFailing = false;
        foreach (var r in message.Rows)
        {
            await session.ExecuteAsync("INSERT INTO delivery_attempts (delivery_id, at, status_code, error) VALUES (@id, @at, @status, @error)",
                new { id = r.DeliveryId, at = now.UtcDateTime, status, error });
            await session.ExecuteAsync("UPDATE deliveries SET status = @s, attempts = @attempts, next_attempt_at = @next, sent_at = @sent, batch_id = @batch WHERE id = @id",
                new { s = (int)newStatus, attempts, next = next.UtcDateTime, sent = delivered ? now.UtcDateTime : (DateTime?)null, batch = message.BatchId, id = r.DeliveryId });
        }
        if (delivered)
            await session.ExecuteAsync(ContactAnswered, new { id = row.ContactId });
        else if (final)
        {
            // Incremented in place: final failures of one contact may be recorded at the same time.
            await session.ExecuteAsync("UPDATE contacts SET consecutive_failures = consecutive_failures + 1, last_error = @error WHERE id = @id", new { error, id = row.ContactId });
            var failures = await session.ExecuteScalarAsync<int>("SELECT consecutive_failures FROM contacts WHERE id = @id", new { id = row.ContactId });
            markedFailing = failures == options.FailuresBeforeMarking;
            if (markedFailing) await session.ExecuteAsync("UPDATE contacts SET failing = @yes WHERE id = @id", new { yes = true, id = row.ContactId });
            // The key carries the time: a channel marked again after a test cleared it is told again.
            if (markedFailing)
                await NotificationWriter.FileAsync(session, [new Message(row.UnitCode, "channel-failing", $"channel-failing:{row.ContactId}:{now.UtcTicks}",
                    "通知渠道连续发送失败", $"【通知渠道故障】通知渠道（{row.Url}）已连续{failures}次发送失败，最近一次：{error}。已暂停向该渠道发送，请核查修改后发送测试消息，测试成功即恢复发送。")], now);
        }
        return (final, markedFailing);
    }
}
