using MassTransit;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Messaging;

/// <summary>
/// An <see cref="IdempotentConsumer{TService,TMessage}"/> for events that come by the thousand: the bus gathers them
/// into a batch (<see cref="Configure"/>), and the batch is applied in one transaction instead of one commit per
/// message. Each message is still deduplicated on its own, under this consumer's name (the same record a per-message
/// consumer of that name keeps, so a consumer can move between the two). Only for a handler whose messages may be
/// applied together in any order within the batch: a batch that fails is failed for each of its messages, which the
/// bus retries (a concurrent duplicate's insert of the same key is such a failure, retried into the seen case).
/// </summary>
public abstract class IdempotentBatchConsumer<TService, TMessage>(Database<TService> database, TimeProvider clock) : IConsumer<Batch<TMessage>>
    where TMessage : class
{
    /// <summary>At most this many messages in one transaction, gathered for at most <see cref="TimeLimit"/> after the first.</summary>
    public const int MessageLimit = 100;
    public static readonly TimeSpan TimeLimit = TimeSpan.FromMilliseconds(10);
    /// <summary>Batches of one queue applied at once: one gathers and commits while the others do too.</summary>
    public const int ConcurrencyLimit = 4;

    /// <summary>How the bus gathers the batches: <c>bus.AddConsumer&lt;T&gt;((_, c) =&gt; c.Options&lt;BatchOptions&gt;(T.Configure))</c>.</summary>
    public static void Configure(BatchOptions batch) => batch.SetMessageLimit(MessageLimit).SetTimeLimit(TimeLimit).SetConcurrencyLimit(ConcurrencyLimit);

    public async Task Consume(ConsumeContext<Batch<TMessage>> context)
    {
        var consumer = GetType().Name;
        var handled = await database.WriteAsync(async session =>
        {
            var unseen = await ProcessedMessage.RecordUnseenAsync(session, context.Message, each => ProcessedMessage.Of(each, consumer, clock));
            var messages = unseen.Select(each => each.Message).ToList();
            if (messages.Count > 0) await HandleAsync(messages, session);
            return messages;
        }, context.CancellationToken);
        if (handled.Count > 0) await AfterCommitAsync(handled);
    }

    /// <summary>Runs once the batch's writes are committed, with the messages not seen before.</summary>
    protected virtual Task AfterCommitAsync(IReadOnlyList<TMessage> messages) => Task.CompletedTask;

    /// <summary>Applies the messages not seen before (in the batch's order) inside the dedup transaction; write through the session only.</summary>
    protected abstract Task HandleAsync(IReadOnlyList<TMessage> messages, DbSession session);
}
