using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Outbox;

/// <summary>
/// Deletes the outbox rows published longer ago than Rectify:Outbox:KeepDispatchedFor and the consumers' records of
/// messages handled longer ago than KeepProcessedFor, so neither table grows for ever. Rows not yet published are never
/// touched. Runs at start and then every PruneEvery, on the injected clock; with several replicas, only the holder of
/// the "outbox-retention" lease prunes.
/// </summary>
public sealed class OutboxRetention<TService>(Database<TService> database, RectifyOptions options, TimeProvider clock, ILogger<OutboxRetention<TService>> logger)
    : BackgroundService
{
    // Small batches: a long delete would hold SQLite's one writer while requests wait.
    private const int BatchSize = 1000;

    private Lease? _lease;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Held for two periods: the holder renews at each run; another replica takes over two periods after it died.
            _lease ??= new Lease(database, "outbox-retention", options.Outbox.PruneEvery * 2, clock);
            try { if (await _lease.TryAcquireAsync(stoppingToken)) await PruneAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) { logger.LogWarning(e, "Pruning the outbox of {Service} failed; it runs again later", database.Service); }
            try { await Task.Delay(options.Outbox.PruneEvery, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Prunes both tables; returns how many outbox rows and processed records it deleted.</summary>
    public async Task<(int Dispatched, int Processed)> PruneAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var dispatched = await DeleteAsync($"""
            DELETE FROM outbox_messages WHERE id IN (
                SELECT id FROM outbox_messages WHERE dispatched_at IS NOT NULL AND dispatched_at < @before ORDER BY id {database.Sql.Limit("@BatchSize")})
            """, now - options.Outbox.KeepDispatchedFor, ct);
        var processed = await DeleteAsync($"""
            DELETE FROM processed_messages WHERE processed_at < @before AND message_id IN (
                SELECT message_id FROM processed_messages WHERE processed_at < @before ORDER BY processed_at {database.Sql.Limit("@BatchSize")})
            """, now - options.Outbox.KeepProcessedFor, ct);
        return (dispatched, processed);
    }

    private async Task<int> DeleteAsync(string sql, DateTime before, CancellationToken ct)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await database.WriteAsync(session => session.ExecuteAsync(sql, new { before, BatchSize }), ct);
            total += deleted;
        } while (deleted == BatchSize);
        return total;
    }
}
