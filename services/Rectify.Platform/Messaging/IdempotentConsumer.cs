using MassTransit;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Messaging;

/// <summary>
/// A consumer that handles each message once. The message id is recorded in
/// processed_messages in the same transaction as the handler's writes, so a
/// redelivery after a crash or a duplicate publish changes nothing.
/// </summary>
public abstract class IdempotentConsumer<TService, TMessage>(Database<TService> database, TimeProvider clock) : IConsumer<TMessage>
    where TMessage : class
{
    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId?.ToString()
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id; it cannot be deduplicated.");
        var consumer = GetType().Name;
        var handled = await database.WriteAsync(async session =>
        {
            var seen = await session.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM processed_messages WHERE message_id = @messageId AND consumer = @consumer",
                new { messageId, consumer });
            if (seen > 0) return false;
            // Inserted first: a concurrent duplicate blocks on this key and then fails, and the bus retries it into the branch above.
            await session.ExecuteAsync(
                "INSERT INTO processed_messages (message_id, consumer, processed_at) VALUES (@messageId, @consumer, @now)",
                new { messageId, consumer, now = clock.GetUtcNow().UtcDateTime });
            await HandleAsync(context.Message, session);
            return true;
        }, context.CancellationToken);
        if (handled) await AfterCommitAsync(context.Message);
    }

    /// <summary>Runs once the handler's writes are committed, and only for a message not seen before (e.g. to update a cache).</summary>
    protected virtual Task AfterCommitAsync(TMessage message) => Task.CompletedTask;

    /// <summary>Applies the message inside the dedup transaction; write through the session only.</summary>
    protected abstract Task HandleAsync(TMessage message, DbSession session);
}
