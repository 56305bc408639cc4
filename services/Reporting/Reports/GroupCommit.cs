using Rectify.Platform.Storage;

namespace Rectify.Reporting.Reports;

/// <summary>
/// Group commit of the report writes (PushReport, SubmitCountySummary): the writes that arrive while one is being
/// written wait in a queue, and the next transaction runs them all, one after another, each under its own savepoint,
/// then commits once. SQLite has one writer, so concurrent pushes were a queue anyway: this makes it one transaction
/// (one connection, one commit) per queue-full instead of one per push. Each caller is answered only after the commit
/// that holds its write; a write that throws is undone alone (its savepoint) and its caller gets its own exception,
/// the others commit. If the batch itself fails (its commit, or a savepoint that cannot be rolled back), each of its
/// writes is run again alone, so no write fails for another's fault.
/// </summary>
public sealed class GroupCommit(Database<ReportingModule> database)
{
    /// <summary>Most writes in one transaction: enough for every concurrent client, few enough to answer the first one soon.</summary>
    public const int MaxBatch = 64;

    private sealed class Pending(Func<DbSession, Task<object?>> work)
    {
        public Func<DbSession, Task<object?>> Work { get; } = work;
        public TaskCompletionSource<object?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public object? Result { get; set; }
        public Exception? Error { get; set; }
    }

    private readonly Lock _gate = new();
    private readonly Queue<Pending> _queue = new();
    private bool _writing;

    /// <summary>Writes queued for the next transaction (not the one being written).</summary>
    public int Waiting
    {
        get { lock (_gate) return _queue.Count; }
    }

    /// <summary>Runs <paramref name="work"/> in the next group's transaction; returns once that transaction has committed.</summary>
    public async Task<T> WriteAsync<T>(Func<DbSession, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var pending = new Pending(async session => await work(session));
        bool start;
        lock (_gate)
        {
            _queue.Enqueue(pending);
            start = !_writing;
            _writing = true;
        }
        // Queued writes are not cancelled one by one: once queued, a write is done or refused with the others, as a write already sent to the database would be.
        if (start) _ = Task.Run(DrainAsync, CancellationToken.None);
        return (T)(await pending.Answer.Task)!;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<Pending>();
            lock (_gate)
            {
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var next)) batch.Add(next);
                if (batch.Count == 0)
                {
                    _writing = false;
                    return;
                }
            }
            if (batch.Count == 1) await AloneAsync(batch[0]);
            else await TogetherAsync(batch);
        }
    }

    private async Task TogetherAsync(List<Pending> batch)
    {
        try
        {
            await database.WriteAsync(async session =>
            {
                foreach (var pending in batch)
                {
                    pending.Error = null;
                    await session.TryAsync(async () => pending.Result = await pending.Work(session), e => { pending.Error = e; return true; });
                }
            }, CancellationToken.None);
        }
        catch (Exception)
        {
            // The transaction as a whole failed: nothing of it was written. Each write on its own, so each gets its own answer.
            foreach (var pending in batch) await AloneAsync(pending);
            return;
        }
        foreach (var pending in batch)
        {
            if (pending.Error is { } error) pending.Answer.SetException(error);
            else pending.Answer.SetResult(pending.Result);
        }
    }

    private async Task AloneAsync(Pending pending)
    {
        try
        {
            pending.Answer.SetResult(await database.WriteAsync(pending.Work, CancellationToken.None));
        }
        catch (Exception e)
        {
            pending.Answer.SetException(e);
        }
    }
}
