using Dapper;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.Delivery;
using Rectify.Notifications.V1;
using Rectify.Platform.Storage;

namespace Rectify.Notifications.Inbox;

/// <summary>
/// Files a message in the unit's inbox and queues a delivery to each of the unit's active contacts, in the
/// caller's transaction. A message whose occurrence key is already filed adds nothing: a duplicate event, or the
/// same event redelivered after a restart, is told once (and of two with one key in one call, the first). Deliveries
/// of a kind sent in bundles wait <paramref name="gather"/> so that the day's other occurrences of that kind go out
/// with them in one message. A few statements per chunk of messages, not per message: a scan's batch of events is
/// filed in one go.
/// </summary>
public static class NotificationWriter
{
    /// <summary>Keys and units per statement: well below SQL Server's 2,100 parameters.</summary>
    private const int Chunk = 500;

    public static async Task<int> FileAsync(DbSession session, IEnumerable<Message> messages, DateTimeOffset now, TimeSpan gather = default)
    {
        var filed = 0;
        foreach (var chunk in messages.DistinctBy(m => m.OccurrenceKey, StringComparer.Ordinal).Chunk(Chunk))
        {
            var keys = chunk.Select(m => m.OccurrenceKey).ToArray();
            var known = (await session.QueryAsync<string>($"SELECT occurrence_key FROM notifications WHERE {session.Sql.InList("occurrence_key", "@keys")}", new { keys }))
                .ToHashSet(StringComparer.Ordinal);
            var fresh = chunk.Where(m => !known.Contains(m.OccurrenceKey)).Select(m => (Id: Guid.NewGuid().ToString(), Message: m)).ToList();
            if (fresh.Count == 0) continue;
            var units = fresh.Select(f => f.Message.UnitCode).Distinct(StringComparer.Ordinal).ToArray();
            var contacts = (await session.QueryAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE {session.Sql.InList("unit_code", "@units")} AND active = @yes",
                new { units, yes = true })).ToLookup(c => c.UnitCode, StringComparer.Ordinal);
            await session.ExecuteAsync("""
                INSERT INTO notifications (id, occurrence_key, unit_code, kind, title, text, line, created_at)
                VALUES (@id, @OccurrenceKey, @UnitCode, @Kind, @Title, @Text, @Line, @now)
                """, fresh.Select(f => new { id = f.Id, f.Message.OccurrenceKey, f.Message.UnitCode, f.Message.Kind, f.Message.Title, f.Message.Text, f.Message.Line, now = now.UtcDateTime }).ToList());
            var deliveries = fresh.SelectMany(f =>
            {
                var from = Bundles.Includes(f.Message.Kind) ? now + gather : now;
                return contacts[f.Message.UnitCode].Select(c =>
                {
                    var at = c.SendableAt(from);
                    var status = c.Failing ? DeliveryStatus.Skipped : at > from ? DeliveryStatus.Held : DeliveryStatus.Pending;
                    return new { Id = Guid.NewGuid().ToString(), NotificationId = f.Id, ContactId = c.Id, Status = (int)status, NextAttemptAt = at.UtcDateTime };
                });
            }).ToList();
            await session.ExecuteAsync("""
                INSERT INTO deliveries (id, notification_id, contact_id, status, attempts, next_attempt_at, sent_at)
                VALUES (@Id, @NotificationId, @ContactId, @Status, 0, @NextAttemptAt, NULL)
                """, deliveries);
            filed += fresh.Count;
        }
        return filed;
    }
}
