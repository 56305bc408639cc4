using System.Diagnostics;
using System.Runtime.CompilerServices;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Messaging;

/// <summary>
/// Group commit for a service's idempotent consumers: the messages handled at the same moment share one transaction
/// (one commit instead of one per message), each under a savepoint of its own, so one that fails is undone alone and
/// only its consumer sees the exception (the bus retries just that message). A message's consumer returns, and the bus
/// acknowledges it, only after the shared transaction committed; if the commit fails, every message of the batch fails
/// and is retried, and processed_messages makes any retry that finds its work done change nothing. An idle inbox runs a
/// message at once, alone: batching only happens while an earlier batch is still at work.
/// </summary>
public sealed class ConsumerInbox
{
    /// <summary>Batches of one server database at work at once in this process: the connections the inbox holds at most.</summary>
    public const int MaxBatchesAtWork = 4;
    /// <summary>Most messages in one transaction: bounds how much one failed commit sends back to be retried.</summary>
    public const int MaxBatch = 64;

    private static readonly ConditionalWeakTable<Database, ConsumerInbox> Inboxes = [];

    private readonly Database _database;
    private readonly Lock _lock = new();
    private readonly Queue<Work> _waiting = new();
    private int _atWork;

    private ConsumerInbox(Database database)
    {
        _database = database;
        // SQLite takes one writer at a time: a second batch would only wait for the first, holding fewer messages.
        BatchesAtWork = database.Provider == DbProvider.Sqlite ? 1 : MaxBatchesAtWork;
    }

    /// <summary>How many batches of this database may be at work at once.</summary>
    public int BatchesAtWork { get; }

    /// <summary>The inbox of <paramref name="database"/> in this process.</summary>
    public static ConsumerInbox Of(Database database) => Inboxes.GetValue(database, d => new ConsumerInbox(d));

    private sealed class Work(Func<DbSession, Task<bool>> handle)
    {
        public Func<DbSession, Task<bool>> Handle { get; } = handle;
        // The consumer's trace: its writes (and the trace parent of any event it publishes) stay in it.
        public Activity? Activity { get; } = Activity.Current;
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Result { get; set; }
        public DbSession? Own { get; set; }
    }

    /// <summary>
    /// Runs <paramref name="handle"/> in a transaction shared with the other messages of the moment; completes once that
    /// transaction committed (with what it returned), or throws what it threw (its writes undone, the others' kept).
    /// </summary>
    public Task<bool> RunAsync(Func<DbSession, Task<bool>> handle)
    {
        var work = new Work(handle);
        bool start;
        lock (_lock)
        {
            _waiting.Enqueue(work);
            start = _atWork < BatchesAtWork;
            if (start) _atWork++;
        }
        if (start)
            // Not in the trace of the message that happened to start it: each message's work runs in its own.
            using (ExecutionContext.SuppressFlow())
                _ = Task.Run(DrainAsync);
        return work.Done.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<Work> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _atWork--;
                    return;
                }
                batch = new List<Work>(Math.Min(_waiting.Count, MaxBatch));
                while (batch.Count < MaxBatch && _waiting.TryDequeue(out var work)) batch.Add(work);
            }
            await RunBatchAsync(batch);
        }
    }

    private async Task RunBatchAsync(List<Work> batch)
    {
        var failed = new Dictionary<Work, Exception>();
        // The shared write's span is in the trace of its first message (a message alone: its own, as without the inbox).
        Activity.Current = batch[0].Activity;
        try
        {
            await _database.WriteAsync(async session =>
            {
                // A message alone needs no savepoint: its failure is the transaction's.
                if (batch is [var alone])
                {
                    Activity.Current = alone.Activity;
                    alone.Result = await alone.Handle(session);
                    return;
                }
                foreach (var work in batch)
                {
                    var (own, error) = await HandleOneAsync(session, work);
                    work.Own = own;
                    if (error is not null) failed[work] = error;
                }
            });
        }
        catch (Exception e)
        {
            // Nothing of the batch committed: every message fails, and the bus retries each.
            foreach (var work in batch) work.Done.TrySetException(failed.GetValueOrDefault(work) ?? e);
            return;
        }
        foreach (var work in batch)
        {
            if (failed.TryGetValue(work, out var error))
            {
                work.Done.TrySetException(error);
                continue;
            }
            // A message alone ran in the write's own session, whose after-commit actions the write has run (Own is null).
            try { work.Own?.Committed(); }
            catch (Exception e) { work.Done.TrySetException(e); continue; }
            work.Done.TrySetResult(work.Result);
        }
    }

    /// <summary>One message's work under its savepoint, in its own trace (set here, so it is gone again for the next).</summary>
    private static async Task<(DbSession Own, Exception? Failed)> HandleOneAsync(DbSession session, Work work)
    {
        Activity.Current = work.Activity;
        return await session.UnderSavepointAsync(async own => work.Result = await work.Handle(own));
    }
}
