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
        var processed = ProcessedMessage.Of(context, GetType().Name, clock);
        var handled = await database.WriteAsync(async session =>
        {
            // Recorded first, so a concurrent duplicate waits on the key instead of doing the work twice.
            if (!await processed.RecordIfNewAsync(session)) return false;
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
