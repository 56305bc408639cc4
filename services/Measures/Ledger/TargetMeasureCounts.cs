using Rectify.Platform.Storage;
using MeasureStatus = Rectify.Measures.V1.MeasureStatus;

namespace Rectify.Measures.Ledger;

/// <summary>
/// Each target's measure counts (target_measure_counts), written in the transaction of every measure change so the
/// subtree counts read one row per target. Overdue is the count as of the row's overdue_on: a change counts it as of
/// its day, the daily job brings every row to the new day, and a row of another day is counted again when read. The units
/// above each target keep the sums of these rows (<see cref="UnitMeasureCounts"/>), changed in the same transactions.
/// </summary>
public static class TargetMeasureCounts
{
    /// <summary>
    /// Called before a target's measure changes: takes the target's row (creating it for a first measure), so two changes
    /// of one target's measures count in turn (the second recount then sees the first's committed change).
    /// </summary>
    public static async Task LockAsync(DbSession session, string villageCode, int campaignYear)
    {
        var key = new { villageCode, campaignYear };
        const string take = "UPDATE target_measure_counts SET total = total WHERE village_code = @villageCode AND campaign_year = @campaignYear";
        if (await session.ExecuteAsync(take, key) > 0) return;
        // A target's first measure; a racing first measure may insert the row first: then take that one.
        var inserted = await session.TryAsync(() => session.ExecuteAsync("""
            INSERT INTO target_measure_counts (village_code, campaign_year, total, completed, closed, reopened, overdue, overdue_on)
            VALUES (@villageCode, @campaignYear, 0, 0, 0, 0, 0, NULL)
            """, key), Sql.IsUniqueViolation);
        if (!inserted) await session.ExecuteAsync(take, key);
    }

    /// <summary>
    /// Counts the target's measures again, overdue as of <paramref name="today"/>, after a change (the row taken by <see cref="LockAsync"/>),
    /// and adds the difference to the units above it (<see cref="UnitMeasureCounts"/>) in the same transaction.
    /// </summary>
    public static async Task RecountAsync(DbSession session, string villageCode, int campaignYear, DateOnly today)
    {
        var key = new { villageCode, campaignYear };
        var before = await session.QuerySingleAsync<KeptCounts>("""
            SELECT total AS Total, completed AS Completed, closed AS Closed, reopened AS Reopened, overdue AS Overdue, overdue_on AS OverdueOn
            FROM target_measure_counts WHERE village_code = @villageCode AND campaign_year = @campaignYear
            """, key);
        var after = await session.QuerySingleAsync<KeptCounts>($"""
            SELECT COUNT(*) AS Total,
                   COALESCE(SUM(CASE WHEN status = @completed THEN 1 ELSE 0 END), 0) AS Completed,
                   COALESCE(SUM(CASE WHEN status = @closed THEN 1 ELSE 0 END), 0) AS Closed,
                   COALESCE(SUM(CASE WHEN status = @reopened THEN 1 ELSE 0 END), 0) AS Reopened,
                   COALESCE(SUM(CASE WHEN {session.Sql.InList("status", "@open")} AND deadline < @today THEN 1 ELSE 0 END), 0) AS Overdue
            FROM measures WHERE village_code = @villageCode AND campaign_year = @campaignYear
            """, new { villageCode, campaignYear, today, open = MeasureRules.OpenStatuses, completed = (int)MeasureStatus.Completed, closed = (int)MeasureStatus.Closed, reopened = (int)MeasureStatus.Reopened });
        await session.ExecuteAsync("""
            UPDATE target_measure_counts SET total = @Total, completed = @Completed, closed = @Closed, reopened = @Reopened, overdue = @Overdue, overdue_on = @today
            WHERE village_code = @villageCode AND campaign_year = @campaignYear
            """, new { after.Total, after.Completed, after.Closed, after.Reopened, after.Overdue, today, villageCode, campaignYear });
        await UnitMeasureCounts.ApplyAsync(session, villageCode, campaignYear, today, before, after);
    }

    /// <summary>
    /// The daily step: every row not yet of <paramref name="today"/> gets its overdue as of today, in one statement. A row a
    /// change is writing at the same moment is of today once that change commits, so the statement passes it by. Then the
    /// units' counters (<see cref="UnitMeasureCounts.RefreshOverdueAsync"/>), in the same transaction. Returns the target rows brought to the day.
    /// </summary>
    public static Task<int> RefreshOverdueAsync(Database database, DateOnly today, CancellationToken ct) =>
        database.WriteAsync(async session =>
        {
            var refreshed = await session.ExecuteAsync($"""
            UPDATE target_measure_counts SET
                overdue = (SELECT COUNT(*) FROM measures m WHERE m.village_code = target_measure_counts.village_code
                           AND m.campaign_year = target_measure_counts.campaign_year AND {session.Sql.InList("m.status", "@open")} AND m.deadline < @today),
                overdue_on = @today
            WHERE overdue_on IS NULL OR overdue_on <> @today
            """, new { today, open = MeasureRules.OpenStatuses });
            await UnitMeasureCounts.RefreshOverdueAsync(session, today);
            return refreshed;
        }, ct);

    /// <summary>
    /// Counts every target again from the measures, overdue as of <paramref name="today"/>: for measures written around the
    /// service (a bulk load, a restore of the measures table alone). Best run while the service is idle.
    /// </summary>
    public static Task RebuildAsync(Database database, DateOnly today, CancellationToken ct = default) =>
        database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("DELETE FROM target_measure_counts");
            await session.ExecuteAsync($"""
                INSERT INTO target_measure_counts (village_code, campaign_year, total, completed, closed, reopened, overdue, overdue_on)
                SELECT village_code, campaign_year, COUNT(*),
                       SUM(CASE WHEN status = @completed THEN 1 ELSE 0 END), SUM(CASE WHEN status = @closed THEN 1 ELSE 0 END),
                       SUM(CASE WHEN status = @reopened THEN 1 ELSE 0 END),
                       SUM(CASE WHEN {session.Sql.InList("status", "@open")} AND deadline < @today THEN 1 ELSE 0 END), @today
                FROM measures GROUP BY village_code, campaign_year
                """, new { today, open = MeasureRules.OpenStatuses, completed = (int)MeasureStatus.Completed, closed = (int)MeasureStatus.Closed, reopened = (int)MeasureStatus.Reopened });
            await UnitMeasureCounts.RebuildAsync(session, today);
        }, ct);
}
