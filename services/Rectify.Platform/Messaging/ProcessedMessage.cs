using MassTransit;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Messaging;

/// <summary>
/// The record that a consumer handled a message (processed_messages, keyed by message id and consumer): how every
/// consumer knows a redelivery or a duplicate publish from a new message.
/// </summary>
public readonly record struct ProcessedMessage(string MessageId, string Consumer, DateTime At)
{
    public static ProcessedMessage Of<TMessage>(ConsumeContext<TMessage> context, string consumer, TimeProvider clock) where TMessage : class =>
        new(context.MessageId?.ToString() ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id; it cannot be deduplicated."),
            consumer, clock.GetUtcNow().UtcDateTime);

    public async Task<bool> SeenAsync(DbSession session) =>
        await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM processed_messages WHERE message_id = @MessageId AND consumer = @Consumer", this) > 0;

    /// <summary>
    /// A batch consumer's messages not handled before (the first of duplicates in the batch), recorded as handled now:
    /// on PostgreSQL one statement for the batch, elsewhere one query and one prepared insert. The same key rules as
    /// <see cref="RecordAsync"/>.
    /// </summary>
    public static async Task<IReadOnlyList<T>> RecordUnseenAsync<T>(DbSession session, IEnumerable<T> items, Func<T, ProcessedMessage> key)
    {
        var candidates = items.Select(i => (Item: i, Key: key(i))).DistinctBy(c => c.Key.MessageId, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0) return [];
        var consumer = candidates[0].Key.Consumer;
        var ids = candidates.Select(c => c.Key.MessageId).ToArray();
        if (session.Sql.Provider == DbProvider.Postgres)
        {
            // One statement: what it inserted is what was not seen. A concurrent duplicate's key waits for the other
            // transaction, then is skipped if that one committed (or inserted if it rolled back), instead of failing.
            var inserted = (await session.QueryAsync<string>("""
                -- PostgreSQL only: one statement, a duplicate skipped
                INSERT INTO processed_messages (message_id, consumer, processed_at)
                SELECT m, @consumer, a FROM unnest(@ids, @ats) AS u(m, a)
                ON CONFLICT DO NOTHING
                RETURNING message_id
                """, new { consumer, ids, ats = candidates.Select(c => c.Key.At).ToArray() })).ToHashSet(StringComparer.Ordinal);
            return candidates.Where(c => inserted.Contains(c.Key.MessageId)).Select(c => c.Item).ToList();
        }
        var seen = (await session.QueryAsync<string>(
            $"SELECT message_id FROM processed_messages WHERE consumer = @consumer AND {session.Sql.InList("message_id", "@ids")}", new { consumer, ids })).ToHashSet(StringComparer.Ordinal);
        var unseen = candidates.Where(c => !seen.Contains(c.Key.MessageId)).ToList();
        await session.ExecuteAsync("INSERT INTO processed_messages (message_id, consumer, processed_at) VALUES (@MessageId, @Consumer, @At)", unseen.Select(c => c.Key).ToList());
        return unseen.Select(c => c.Item).ToList();
    }

    /// <summary>
    /// Records the message unless it was recorded before, in one statement: true when it is new (handle it), false when
    /// seen. A concurrent duplicate inserting the same key blocks on it and then fails; the bus retries it into the seen case.
    /// </summary>
    public async Task<bool> RecordIfNewAsync(DbSession session) =>
        await session.ExecuteAsync("""
            INSERT INTO processed_messages (message_id, consumer, processed_at)
            SELECT @MessageId, @Consumer, @At
            WHERE NOT EXISTS (SELECT 1 FROM processed_messages WHERE message_id = @MessageId AND consumer = @Consumer)
            """, this) == 1;

    /// <summary>A concurrent duplicate inserting the same key blocks on it and then fails; the bus retries it into <see cref="SeenAsync"/>.</summary>
    public Task RecordAsync(DbSession session) =>
        session.ExecuteAsync("INSERT INTO processed_messages (message_id, consumer, processed_at) VALUES (@MessageId, @Consumer, @At)", this);
}
