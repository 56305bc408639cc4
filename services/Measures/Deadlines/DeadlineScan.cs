using Dapper;
using Microsoft.Extensions.Logging;
using Rectify.Common.V1;
using Rectify.Events;
using Rectify.Events.Measures;
using Rectify.Kernel;
using Rectify.Measures.Ledger;
using Rectify.Platform.Outbox;
using Rectify.Platform;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Deadlines;

/// <summary>
/// Finds the day's deadline occurrences and publishes one event for each through
/// the outbox: due soon (7, 3 and 1 days before), overdue (the day after, then
/// every 7 days while the measure stays open) and escalated (overdue 30 days).
/// Each occurrence has a key recorded with its event, so a second run, or a
/// second instance running at the same time, publishes nothing twice. Days
/// missed while the service was down are scanned on the next run. The day-by-day
/// lookup finds exact dates only, so each run then looks back once for measures
/// first seen past their deadline (a plan entered or imported late): they get their
/// overdue occurrence at once, and their escalation once 30 days overdue.
/// </summary>
public sealed class DeadlineScan(Database<MeasuresModule> database, TimeProvider clock, ILogger<DeadlineScan> logger)
{
    public static readonly int[] DueSoonDays = [7, 3, 1];
    public const int RepeatEveryDays = 7;
    public const int EscalateAfterDays = 30;
    /// <summary>How far back a scan after downtime catches up; older reminders would only be noise.</summary>
    public const int MaxCatchUpDays = 31;
    /// <summary>
    /// Occurrences written per transaction. Each commit costs more than its rows on SQLite (a WAL checkpoint once the log
    /// passes its threshold; 500 per commit spent more time committing than inserting), so few commits; yet small enough
    /// that SQLite's single writer is held about a second at most while the service answers writes beside the scan.
    /// </summary>
    private const int ChunkSize = 10_000;

    public sealed record Result(DateOnly ScannedThrough, int DueSoon, int Overdue, int Escalated)
    {
        public int Total => DueSoon + Overdue + Escalated;
        public static Result operator +(Result a, Result b) => new(b.ScannedThrough, a.DueSoon + b.DueSoon, a.Overdue + b.Overdue, a.Escalated + b.Escalated);
    }

    private sealed record Occurrence(string Key, string MeasureId, IIntegrationEvent Event);

    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var today = clock.Today();
        var last = await database.ReadAsync(c => c.ExecuteScalarAsync<DateOnly?>("SELECT MAX(scan_date) FROM deadline_scans"), ct);
        // Today is always scanned again: a measure reopened since the morning may have a new occurrence today.
        var first = last is { } l && l < today ? l.AddDays(1) : today;
        if (first < today.AddDays(-MaxCatchUpDays)) first = today.AddDays(-MaxCatchUpDays);
        var total = new Result(today, 0, 0, 0);
        for (var day = first; day <= today; day = day.AddDays(1))
        {
            total += await ScanDayAsync(day, today, ct);
            try
            {
                await database.WriteAsync(async session =>
                {
                    if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM deadline_scans WHERE scan_date = @day", new { day }) == 0)
                        await session.ExecuteAsync("INSERT INTO deadline_scans (scan_date, finished_at) VALUES (@day, @now)", new { day, now = clock.GetUtcNow().UtcDateTime });
                }, ct);
            }
            catch (Exception e) when (Sql.IsUniqueViolation(e))
            {
                // Another instance finished the same day at the same moment: the day is recorded either way.
            }
        }
        total += await ScanLateAsync(today, ct);
        logger.LogInformation("Deadline scan through {Today}: {DueSoon} due soon, {Overdue} overdue, {Escalated} escalated", today, total.DueSoon, total.Overdue, total.Escalated);
        return total;
    }

    /// <summary>The daily job's other step: each target's overdue count as of today (TargetMeasureCounts), so the subtree counts read it as it is.</summary>
    public Task<int> RefreshCountsAsync(CancellationToken ct) => TargetMeasureCounts.RefreshOverdueAsync(database, clock.Today(), ct);

    /// <summary>The deadlines that have an occurrence on <paramref name="day"/>: exact dates, so the query is an index lookup.</summary>
    public static List<DateOnly> DeadlinesWithOccurrences(DateOnly day, DateOnly today, DateOnly earliestOpenDeadline)
    {
        // A reminder whose deadline has already passed is stale when catching up on a missed day.
        var dates = DueSoonDays.Select(n => day.AddDays(n)).Where(d => d >= today).ToList();
        for (var overdue = day.AddDays(-1); overdue >= earliestOpenDeadline; overdue = overdue.AddDays(-RepeatEveryDays))
            dates.Add(overdue);
        // 30 is not 1 + 7k, so the escalation day needs its own date.
        if (day.AddDays(-EscalateAfterDays) >= earliestOpenDeadline) dates.Add(day.AddDays(-EscalateAfterDays));
        return dates;
    }

    /// <summary>The SQL that finds the day's candidates; public so the benchmark can time it bare.</summary>
    public string CandidatesSql => $"""
        SELECT {MeasureRow.Columns} FROM measures
        WHERE {database.Sql.InList("deadline", "@dates")} AND {database.Sql.InList("status", "@open")} AND {NotHistory}
        """;

    /// <summary>An earlier year entered as history is a record of what happened, not work to chase.</summary>
    private const string NotHistory = """
        NOT EXISTS (SELECT 1 FROM targets t WHERE t.village_code = measures.village_code AND t.campaign_year = measures.campaign_year AND t.entered_as_history = @history)
        """;

    /// <summary>
    /// The keys already recorded for the day's candidates, read with them instead of looked up key by key: a due-soon or
    /// overdue key names the day it falls on (its deadline and days), so only that day's keys can repeat it; an escalation
    /// key names no day, so all of the candidates' escalations. A same-day rerun finds every key here and writes nothing.
    /// </summary>
    public string RecordedSql => $"""
        SELECT o.occurrence_key FROM measures JOIN deadline_occurrences o ON o.measure_id = measures.id
        WHERE {database.Sql.InList("measures.deadline", "@dates")} AND {database.Sql.InList("measures.status", "@open")}
          AND (o.scan_date = @day OR o.occurrence_key LIKE @escalated)
        """;

    private async Task<Result> ScanDayAsync(DateOnly day, DateOnly today, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        var candidates = await database.ReadAsync(async c =>
        {
            var earliest = await c.ExecuteScalarAsync<DateOnly?>(
                $"SELECT MIN(deadline) FROM measures WHERE {database.Sql.InList("status", "@open")}", new { open = MeasureRules.OpenStatuses });
            if (earliest is null) return [];
            var dates = DeadlinesWithOccurrences(day, today, earliest.Value);
            var rows = new List<MeasureRow>();
            // SQL Server takes at most 2,100 parameters; a year of weekly repeats is far below that, but chunk anyway.
            foreach (var chunk in dates.Chunk(1000))
            {
                rows.AddRange(await c.QueryAsync<MeasureRow>(CandidatesSql, new { dates = chunk, open = MeasureRules.OpenStatuses, history = true }));
                recorded.UnionWith(await c.QueryAsync<string>(RecordedSql, new { dates = chunk, open = MeasureRules.OpenStatuses, day, escalated = "escalated:%" }));
            }
            return rows;
        }, ct);

        var occurrences = new List<Occurrence>();
        foreach (var row in candidates)
        {
            var deadline = row.Deadline.ToString("yyyyMMdd");
            var daysLeft = row.Deadline.DayNumber - day.DayNumber;
            var daysOverdue = -daysLeft;
            if (DueSoonDays.Contains(daysLeft))
            {
                var key = $"due:{row.Id}:{deadline}:{daysLeft}";
                occurrences.Add(new Occurrence(key, row.Id, new MeasureDueSoon(row.Snapshot(), daysLeft, day, key, now)));
            }
            if (daysOverdue >= 1 && (daysOverdue - 1) % RepeatEveryDays == 0)
            {
                var key = $"overdue:{row.Id}:{deadline}:{daysOverdue}";
                occurrences.Add(new Occurrence(key, row.Id, new MeasureOverdue(row.Snapshot(), daysOverdue, day, key, now)));
            }
            if (daysOverdue == EscalateAfterDays)
            {
                var key = $"escalated:{row.Id}:{deadline}";
                var county = OrgCode.Parse(row.VillageCode).AncestorAt(OrgLevel.County).Value;
                occurrences.Add(new Occurrence(key, row.Id, new MeasureEscalated(row.Snapshot(), daysOverdue, county, day, key, now)));
            }
        }

        var published = new List<Occurrence>();
        foreach (var chunk in InKeyOrder(occurrences.Where(o => !recorded.Contains(o.Key))).Chunk(ChunkSize))
            published.AddRange(await PublishChunkAsync(chunk, day, ct));
        return new Result(day,
            published.Count(o => o.Event is MeasureDueSoon),
            published.Count(o => o.Event is MeasureOverdue),
            published.Count(o => o.Event is MeasureEscalated));
    }

    /// <summary>
    /// Open measures past <paramref name="latest"/> with no occurrence of this kind recorded for their current deadline.
    /// An occurrence recorded after the deadline is one of the current deadline: a reopened measure's new deadline is
    /// after the day it was reopened, so its old occurrences all lie before it.
    /// </summary>
    public string LateSql => $"""
        SELECT {MeasureRow.Columns} FROM measures
        WHERE {database.Sql.InList("status", "@open")} AND deadline <= @latest AND {NotHistory}
          AND NOT EXISTS (SELECT 1 FROM deadline_occurrences o
                          WHERE o.measure_id = measures.id AND o.scan_date > measures.deadline AND o.occurrence_key LIKE @prefix)
        """;

    /// <summary>
    /// The look-back: a measure first seen past its deadline gets its overdue occurrence today whatever its days overdue,
    /// and one 30 or more days overdue its escalation, each once (the anti-join above, and the keys if two scans race).
    /// Weekly repeats then follow the usual days (1, 8, 15, … after the deadline).
    /// </summary>
    private async Task<Result> ScanLateAsync(DateOnly today, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (overdue, escalated) = await database.ReadAsync(async c => (
            (await c.QueryAsync<MeasureRow>(LateSql, new { open = MeasureRules.OpenStatuses, latest = today.AddDays(-1), prefix = "overdue:%", history = true })).ToList(),
            (await c.QueryAsync<MeasureRow>(LateSql, new { open = MeasureRules.OpenStatuses, latest = today.AddDays(-EscalateAfterDays), prefix = "escalated:%", history = true })).ToList()), ct);
        var occurrences = new List<Occurrence>();
        foreach (var row in overdue)
        {
            var days = today.DayNumber - row.Deadline.DayNumber;
            var key = $"overdue:{row.Id}:{row.Deadline:yyyyMMdd}:{days}";
            occurrences.Add(new Occurrence(key, row.Id, new MeasureOverdue(row.Snapshot(), days, today, key, now)));
        }
        foreach (var row in escalated)
        {
            var days = today.DayNumber - row.Deadline.DayNumber;
            var key = $"escalated:{row.Id}:{row.Deadline:yyyyMMdd}";
            var county = OrgCode.Parse(row.VillageCode).AncestorAt(OrgLevel.County).Value;
            occurrences.Add(new Occurrence(key, row.Id, new MeasureEscalated(row.Snapshot(), days, county, today, key, now)));
        }
        var published = new List<Occurrence>();
        foreach (var chunk in InKeyOrder(occurrences).Chunk(ChunkSize))
            published.AddRange(await PublishChunkAsync(chunk, today, ct));
        if (published.Count > 0) logger.LogInformation("Deadline scan on {Today}: {Count} occurrences of measures first seen past their deadline", today, published.Count);
        return new Result(today, 0, published.Count(o => o.Event is MeasureOverdue), published.Count(o => o.Event is MeasureEscalated));
    }

    /// <summary>
    /// Written in key order (kind, then measure id), each chunk's keys fall in one stretch of the key index and of the
    /// by-measure index: a commit then rewrites those pages only, not pages all over both indexes (with the keys in the
    /// candidates' order, a 1M-measure scan's commits rewrote several times the data they added).
    /// </summary>
    private static IEnumerable<Occurrence> InKeyOrder(IEnumerable<Occurrence> occurrences) => occurrences.OrderBy(o => o.Key, StringComparer.Ordinal);

    /// <summary>
    /// Records the chunk's keys and publishes their events, in one transaction. Its keys were read as not recorded yet
    /// (RecordedSql, the look-back's anti-join), so the first attempt writes them without looking each up; if another
    /// instance recorded some of them meanwhile, a key's unique violation undoes the chunk and it is written again
    /// without the keys recorded by then.
    /// </summary>
    private async Task<List<Occurrence>> PublishChunkAsync(IReadOnlyList<Occurrence> chunk, DateOnly day, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await database.WriteAsync(async session =>
                {
                    var fresh = chunk;
                    if (attempt > 1)
                    {
                        var seen = new HashSet<string>(StringComparer.Ordinal);
                        // SQL Server takes at most 2,100 parameters.
                        foreach (var keys in chunk.Select(o => o.Key).Chunk(1000))
                            seen.UnionWith(await session.QueryAsync<string>(
                                $"SELECT occurrence_key FROM deadline_occurrences WHERE {session.Sql.InList("occurrence_key", "@keys")}", new { keys }));
                        fresh = chunk.Where(o => !seen.Contains(o.Key)).ToList();
                    }
                    if (fresh.Count == 0) return [];
                    var recordedAt = clock.GetUtcNow().UtcDateTime;
                    await session.ExecuteAsync(
                        "INSERT INTO deadline_occurrences (occurrence_key, measure_id, scan_date, recorded_at) VALUES (@Key, @MeasureId, @day, @recordedAt)",
                        fresh.Select(o => new { o.Key, o.MeasureId, day, recordedAt }).ToList());
                    await session.PublishAllAsync(fresh.Select(o => o.Event).ToList());
                    return fresh.ToList();
                }, ct);
            }
            catch (Exception e) when (Sql.IsUniqueViolation(e) && attempt < 3)
            {
                logger.LogInformation("Another scan recorded some of these occurrences first; reading them again");
            }
        }
    }
}
