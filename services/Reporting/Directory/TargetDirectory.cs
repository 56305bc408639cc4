using Dapper;
using Rectify.Events.Assessment;
using Rectify.Events.Organizations;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Reporting.Directory;

/// <summary>
/// Who must report for a month: every township with a target active in that month — designated in the
/// campaign of that year by the month's end, and neither it nor its township closed before the month began.
/// The denominators follow units as they are opened and closed.
/// </summary>
public static class TargetDirectory
{
    /// <summary>The active targets under a unit (a township, a county, …) in a month.</summary>
    public static async Task<List<DirectoryTarget>> ActiveAsync(DbSession session, OrgCode scope, Month month)
    {
        var (low, high) = scope.SubtreeRange;
        return (await session.QueryAsync<DirectoryTarget>("""
            SELECT t.village_code AS VillageCode, t.campaign_year AS CampaignYear, t.village_name AS VillageName, t.township_code AS TownshipCode,
                   t.township_name AS TownshipName, t.county_code AS CountyCode, t.designated_on AS DesignatedOn
            FROM directory_targets t
            LEFT JOIN directory_closures v ON v.code = t.village_code
            LEFT JOIN directory_closures w ON w.code = t.township_code
            WHERE t.village_code >= @low AND t.village_code <= @high AND t.campaign_year = @year AND t.designated_on <= @last
              AND (v.closed_on IS NULL OR v.closed_on >= @first) AND (w.closed_on IS NULL OR w.closed_on >= @first)
            ORDER BY t.village_code
            """, new { low, high, year = month.Year, first = month.FirstDay, last = month.LastDay })).ToList();
    }
}

internal static class Closures
{
    public static async Task RecordAsync(DbSession session, string code, DateOnly closedOn)
    {
        await session.ExecuteAsync("DELETE FROM directory_closures WHERE code = @code", new { code });
        await session.ExecuteAsync("INSERT INTO directory_closures (code, closed_on) VALUES (@code, @closedOn)", new { code, closedOn });
    }
}
