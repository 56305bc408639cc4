using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Reporting.Reports;

/// <summary>
/// Deletes the answers kept for client request ids (request_replies, once push_requests) recorded longer ago than
/// Rectify:Reporting:KeepRequestRepliesFor, so the table does not grow for ever; a retry within that time still gets its
/// first answer. Runs at start and then every Rectify:Outbox:PruneEvery, on the injected clock, like the outbox's retention.
/// </summary>
public sealed class RequestReplyRetention(Database<ReportingModule> database, ReportingOptions reporting, RectifyOptions options, TimeProvider clock,
    ILogger<RequestReplyRetention> logger) : BackgroundService
{
    // Small batches: a long delete would hold SQLite's one writer while pushes wait.
    private const int BatchSize = 1000;

    /// <summary>A keep time shorter than a day would forget a request while its township system may still retry it.</summary>
    public static void Validate(ReportingOptions reporting)
    {
        if (reporting.KeepRequestRepliesFor < TimeSpan.FromDays(1))
            throw new InvalidOperationException($"Rectify:Reporting:KeepRequestRepliesFor must be at least one day, not {reporting.KeepRequestRepliesFor}.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await PruneAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) { logger.LogWarning(e, "Pruning the request replies of reporting failed; it runs again later"); }
            try { await Task.Delay(options.Outbox.PruneEvery, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Deletes the replies older than the keep time; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var before = clock.GetUtcNow().UtcDateTime - reporting.KeepRequestRepliesFor;
        // The key has three columns, which not every engine compares as a row: each batch deletes up to the recorded_at of
        // the oldest BatchSize rows instead (ties at that instant go along), walking ix_request_replies_recorded_at.
        var sql = $"""
            DELETE FROM request_replies WHERE recorded_at < @before AND recorded_at <= (
                SELECT MAX(recorded_at) FROM (
                    SELECT recorded_at FROM request_replies WHERE recorded_at < @before ORDER BY recorded_at {database.Sql.Limit("@BatchSize")}) oldest)
            """;
        var total = 0;
        int deleted;
        do
        {
            deleted = await database.WriteAsync(session => session.ExecuteAsync(sql, new { before, BatchSize }), ct);
            total += deleted;
        } while (deleted > 0);
        return total;
    }
}
