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
