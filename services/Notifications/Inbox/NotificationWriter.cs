using Dapper;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.Delivery;
using Rectify.Notifications.V1;
using Rectify.Platform.Storage;

namespace Rectify.Notifications.Inbox;

/// <summary>
/// Files a message in the unit's inbox and queues a delivery to each of the unit's active contacts, in the
/// caller's transaction. A message whose occurrence key is already filed adds nothing: a duplicate event, or the
/// same event redelivered after a restart, is told once. Deliveries of a kind sent in bundles wait
/// <paramref name="gather"/> so that the day's other occurrences of that kind go out with them in one message.
/// </summary>
public static class NotificationWriter
{
    public static async Task<int> FileAsync(DbSession session, IEnumerable<Message> messages, DateTimeOffset now, TimeSpan gather = default)
    {
        var filed = 0;
        foreach (var message in messages)
        {
            if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM notifications WHERE occurrence_key = @OccurrenceKey", message) > 0) continue;
            var id = Guid.NewGuid().ToString();
            await session.ExecuteAsync("""
                INSERT INTO notifications (id, occurrence_key, unit_code, kind, title, text, line, created_at)
                VALUES (@id, @OccurrenceKey, @UnitCode, @Kind, @Title, @Text, @Line, @now)
                """, new { id, message.OccurrenceKey, message.UnitCode, message.Kind, message.Title, message.Text, message.Line, now = now.UtcDateTime });
            var contacts = await session.QueryAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE unit_code = @UnitCode AND active = @yes", new { message.UnitCode, yes = true });
            var from = Bundles.Includes(message.Kind) ? now + gather : now;
            await session.ExecuteAsync("""
                INSERT INTO deliveries (id, notification_id, contact_id, status, attempts, next_attempt_at, sent_at)
                VALUES (@Id, @NotificationId, @ContactId, @Status, 0, @NextAttemptAt, NULL)
                """, contacts.Select(c =>
            {
                var at = c.SendableAt(from);
                var status = c.Failing ? DeliveryStatus.Skipped : at > from ? DeliveryStatus.Held : DeliveryStatus.Pending;
                return new { Id = Guid.NewGuid().ToString(), NotificationId = id, ContactId = c.Id, Status = (int)status, NextAttemptAt = at.UtcDateTime };
            }).ToList());
            filed++;
        }
        return filed;
    }
}
