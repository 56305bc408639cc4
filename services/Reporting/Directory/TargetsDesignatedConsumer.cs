using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Reporting.Directory;

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
