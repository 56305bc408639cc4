using Dapper;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.Delivery;
using Rectify.Notifications.V1;
using Rectify.Platform.Storage;

namespace Rectify.Notifications.Inbox;

/// <summary>What to tell which unit about one occurrence.</summary>
public sealed record Message(string UnitCode, string Kind, string OccurrenceKey, string Title, string Text);

/// <summary>
/// Files a message in the unit's inbox and queues a delivery to each of the unit's active contacts, in the
/// caller's transaction. A message whose occurrence key is already filed adds nothing: a duplicate event, or the
/// same event redelivered after a restart, is told once.
/// </summary>
public static class NotificationWriter
{
    public static async Task<int> FileAsync(DbSession session, IEnumerable<Message> messages, DateTimeOffset now)
    {
        var filed = 0;
        foreach (var message in messages)
        {
            if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM notifications WHERE occurrence_key = @OccurrenceKey", message) > 0) continue;
            var id = Guid.NewGuid().ToString();
            await session.ExecuteAsync("""
                INSERT INTO notifications (id, occurrence_key, unit_code, kind, title, text, created_at)
                VALUES (@id, @OccurrenceKey, @UnitCode, @Kind, @Title, @Text, @now)
                """, new { id, message.OccurrenceKey, message.UnitCode, message.Kind, message.Title, message.Text, now = now.UtcDateTime });
            var contacts = await session.QueryAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE unit_code = @UnitCode AND active = @yes", new { message.UnitCode, yes = true });
            await session.ExecuteAsync("""
                INSERT INTO deliveries (id, notification_id, contact_id, status, attempts, next_attempt_at, sent_at)
                VALUES (@Id, @NotificationId, @ContactId, @Status, 0, @NextAttemptAt, NULL)
                """, contacts.Select(c =>
            {
                var at = c.SendableAt(now);
                var status = c.Failing ? DeliveryStatus.Skipped : at > now ? DeliveryStatus.Held : DeliveryStatus.Pending;
                return new { Id = Guid.NewGuid().ToString(), NotificationId = id, ContactId = c.Id, Status = (int)status, NextAttemptAt = at.UtcDateTime };
            }).ToList());
            filed++;
        }
        return filed;
    }
}
