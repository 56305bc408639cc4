using Rectify.Kernel;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Ledger;

/// <summary>
/// Each township's, county's, city's and province's measure counts per campaign year (unit_measure_counts): the sums of its
/// targets' rows in target_measure_counts, changed by the same transaction that recounts a target, so a subtree's totals
/// read its children's rows instead of summing every target under it.
/// <para>
/// Targets, total, completed, closed and reopened do not depend on the day: each change adds its target's delta
/// (<c>SET n = n + @d</c>). Overdue does: it is the sum of the targets' kept overdue, and overdue_on says the day it is of,
/// set only when EVERY target row under the unit is of that day. A change keeps the unit's day only if its target was of
/// that day already (or had no measures, hence no overdue on any day); otherwise it clears it (NULL). The daily refresh
/// brings every unit not of the day back to it, after bringing the targets. A unit not of today is never answered as is:
/// the reader falls back to the target rows (LedgerQueries), so between midnight and the daily refresh the totals cost what
/// they cost before these counters.
/// </para>
/// <para>
/// Locks: a change takes its target's row first (TargetMeasureCounts.LockAsync), then its units from the township up, one
/// row per level; the daily refresh takes the targets, then the units level by level from the townships up. Both go the
/// same way, so neither waits on the other in a circle.
/// </para>
/// </summary>
public static class UnitMeasureCounts
{
    /// <summary>The significant digits of each level that has a row, the township first (the order locks are taken in).</summary>
    private static readonly int[] Levels = [9, 6, 4, 2];

    /// <summary>
    /// Adds a target's change to every unit above it, township first. <paramref name="before"/> is the target's row as it was
    /// (total 0 and no day: a row LockAsync has just inserted, a target these counters do not count yet), <paramref name="after"/>
    /// its recount as of <paramref name="today"/>.
    /// </summary>
    internal static async Task ApplyAsync(DbSession session, string villageCode, int campaignYear, DateOnly today, KeptCounts before, KeptCounts after)
    {
        var newTarget = before.Total == 0 && before.OverdueOn is null;
        // A target with no measures has no overdue on any day, so its row was of today as much as of any other.
        var keepsDay = before.OverdueOn == today || before.Total == 0;
        var delta = new
        {
            targets = newTarget ? 1 : 0, total = after.Total - before.Total, completed = after.Completed - before.Completed,
            closed = after.Closed - before.Closed, reopened = after.Reopened - before.Reopened, overdue = after.Overdue - before.Overdue,
        };
        // A progress report changes no count: the units are not touched (nor locked), the common write stays as cheap as before.
        if (keepsDay && delta is { targets: 0, total: 0, completed: 0, closed: 0, reopened: 0, overdue: 0 }) return;
        var village = OrgCode.Parse(villageCode);
        foreach (var level in Levels)
        {
            var unit = village.Value[..level];
            var parent = village.Value[..ParentLength(level)];
            var key = new
            {
                unit = unit.PadRight(OrgCode.Length, '0'), parent = parent.PadRight(OrgCode.Length, '0'), last = unit.PadRight(OrgCode.Length, '9'),
                length = level, year = campaignYear, today, delta.targets, delta.total, delta.completed, delta.closed, delta.reopened, delta.overdue,
            };
            var add = $"""
                UPDATE unit_measure_counts SET targets = targets + @targets, total = total + @total, completed = completed + @completed,
                    closed = closed + @closed, reopened = reopened + @reopened, overdue = overdue + @overdue,
                    overdue_on = {(keepsDay ? "CASE WHEN overdue_on = @today THEN overdue_on ELSE NULL END" : "NULL")}
                WHERE parent_code = @parent AND unit_code = @unit AND campaign_year = @year
                """;
            if (await session.ExecuteAsync(add, key) > 0) continue;
            // The unit's first target (so the delta is the whole row); a racing first target may insert the row first: then add to it.
            var inserted = await session.TryAsync(() => session.ExecuteAsync($"""
                INSERT INTO unit_measure_counts (parent_code, unit_code, campaign_year, code_length, last_code, targets, total, completed, closed, reopened, overdue, overdue_on)
                VALUES (@parent, @unit, @year, @length, @last, @targets, @total, @completed, @closed, @reopened, @overdue, {(keepsDay ? "@today" : "NULL")})
                """, key), Sql.IsUniqueViolation);
            if (!inserted) await session.ExecuteAsync(add, key);
        }
    }

    /// <summary>
    /// The daily step, after the targets' (same transaction): every unit not of <paramref name="today"/> gets its overdue summed
    /// again from its targets' rows, now all of today. The units are locked first, level by level from the townships up
    /// (the order changes take them in): a change still running then holds no unit, and adds its delta, measured against the
    /// committed target row this sum read, after the refresh commits.
    /// </summary>
    internal static async Task RefreshOverdueAsync(DbSession session, DateOnly today)
    {
        foreach (var level in Levels)
            await session.ExecuteAsync("""
                UPDATE unit_measure_counts SET targets = targets
                WHERE code_length = @level AND (overdue_on IS NULL OR overdue_on <> @today)
                """, new { level, today });
        await session.ExecuteAsync("""
            UPDATE unit_measure_counts SET
                overdue = (SELECT COALESCE(SUM(t.overdue), 0) FROM target_measure_counts t
                           WHERE t.village_code >= unit_measure_counts.unit_code AND t.village_code <= unit_measure_counts.last_code
                             AND t.campaign_year = unit_measure_counts.campaign_year),
                overdue_on = @today
            WHERE overdue_on IS NULL OR overdue_on <> @today
            """, new { today });
    }

    /// <summary>Every unit's row summed again from the target rows, all of <paramref name="today"/> (TargetMeasureCounts.RebuildAsync, same transaction).</summary>
    internal static async Task RebuildAsync(DbSession session, DateOnly today)
    {
        await session.ExecuteAsync("DELETE FROM unit_measure_counts");
        var concat = session.Sql.Provider == DbProvider.SqlServer ? "+" : "||";
        foreach (var level in Levels)
        {
            var parentLength = ParentLength(level);
            await session.ExecuteAsync($"""
                INSERT INTO unit_measure_counts (parent_code, unit_code, campaign_year, code_length, last_code, targets, total, completed, closed, reopened, overdue, overdue_on)
                SELECT parent {concat} @parentZeros, code {concat} @zeros, campaign_year, @level, code {concat} @nines,
                       COUNT(*), SUM(total), SUM(completed), SUM(closed), SUM(reopened), SUM(overdue), @today
                FROM (SELECT SUBSTRING(village_code, 1, @level) AS code, SUBSTRING(village_code, 1, @parentLength) AS parent, campaign_year,
                             total, completed, closed, reopened, overdue
                      FROM target_measure_counts) k
                GROUP BY code, parent, campaign_year
                """, new
            {
                level, parentLength, today, parentZeros = new string('0', OrgCode.Length - parentLength),
                zeros = new string('0', OrgCode.Length - level), nines = new string('9', OrgCode.Length - level),
            });
        }
    }

    /// <summary>The significant digits of the unit above a level's units (0: the nation, above the provinces).</summary>
    private static int ParentLength(int level) => level switch { 9 => 6, 6 => 4, 4 => 2, _ => 0 };
}

/// <summary>A target's kept counts (a row of target_measure_counts, or its recount from the measures).</summary>
internal sealed class KeptCounts
{
    public long Total { get; set; }
    public long Completed { get; set; }
    public long Closed { get; set; }
    public long Reopened { get; set; }
    public long Overdue { get; set; }
    public DateOnly? OverdueOn { get; set; }
}
