namespace Rectify.Platform.Outbox;

/// <summary>Rectify:Outbox — how long the outbox and the consumers' records keep what is done.</summary>
public sealed class OutboxOptions
{
    /// <summary>A published outbox row is kept this long (to look into what was sent), then deleted.</summary>
    public TimeSpan KeepDispatchedFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A consumer's record of a handled message is kept this long, then deleted: it must outlast any redelivery of that
    /// message (the broker's retries and an operator's replay from an error queue), or a late duplicate would be applied again.
    /// </summary>
    public TimeSpan KeepProcessedFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the pruning runs.</summary>
    public TimeSpan PruneEvery { get; set; } = TimeSpan.FromHours(1);
}
