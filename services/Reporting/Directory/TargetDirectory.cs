using Dapper;
using Rectify.Events.Assessment;
using Rectify.Events.Organizations;
using Rectify.Platform;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Reporting.Directory;

/// <summary>A designated target as the reporting service knows it.</summary>
public sealed class DirectoryTarget
{
    public string VillageCode { get; set; } = "";
    public int CampaignYear { get; set; }
    public string VillageName { get; set; } = "";
    public string TownshipCode { get; set; } = "";
    public string TownshipName { get; set; } = "";
    public string CountyCode { get; set; } = "";
    public DateOnly DesignatedOn { get; set; }
}

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

public sealed class TargetsDesignatedConsumer(Database<ReportingModule> database, TimeProvider clock)
    : IdempotentConsumer<ReportingModule, TargetsDesignated>(database, clock)
{
    protected override async Task HandleAsync(TargetsDesignated message, DbSession session)
    {
        var designatedOn = TimeZoneInfo.ConvertTime(message.OccurredAt, ShanghaiTime.Zone);
        foreach (var target in message.Targets)
        {
            await session.ExecuteAsync("DELETE FROM directory_targets WHERE village_code = @VillageCode AND campaign_year = @year", new { target.VillageCode, year = message.CampaignYear });
            await session.ExecuteAsync("""
                INSERT INTO directory_targets (village_code, campaign_year, village_name, township_code, township_name, county_code, designated_on)
                VALUES (@VillageCode, @year, @VillageName, @township, @TownshipName, @county, @on)
                """, new
            {
                target.VillageCode, year = message.CampaignYear, target.VillageName, township = OrgCode.Parse(target.VillageCode).Parent!.Value.Value,
                target.TownshipName, county = message.CountyCode, on = DateOnly.FromDateTime(designatedOn.DateTime),
            });
        }
    }
}

/// <summary>A closed or merged unit leaves the denominators from the month after it closed.</summary>
public sealed class UnitClosedConsumer(Database<ReportingModule> database, TimeProvider clock) : IdempotentConsumer<ReportingModule, UnitClosed>(database, clock)
{
    protected override Task HandleAsync(UnitClosed message, DbSession session) => Closures.RecordAsync(session, message.Code, message.ClosedOn);
}

public sealed class UnitMergedConsumer(Database<ReportingModule> database, TimeProvider clock) : IdempotentConsumer<ReportingModule, UnitMerged>(database, clock)
{
    protected override Task HandleAsync(UnitMerged message, DbSession session) => Closures.RecordAsync(session, message.Code, message.EffectiveOn);
}

internal static class Closures
{
    public static async Task RecordAsync(DbSession session, string code, DateOnly closedOn)
    {
        await session.ExecuteAsync("DELETE FROM directory_closures WHERE code = @code", new { code });
        await session.ExecuteAsync("INSERT INTO directory_closures (code, closed_on) VALUES (@code, @closedOn)", new { code, closedOn });
    }
}
