using Rectify.Events.Assessment;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Targets;

/// <summary>The designated targets this service knows, as the assessment service announced them.</summary>
public static class TargetRegistry
{
    public static async Task RecordAsync(DbSession session, TargetsDesignated designation)
    {
        foreach (var target in designation.Targets)
        {
            // A later designation of the same village and year (a corrected revision) replaces the names and the campaign end.
            await session.ExecuteAsync("DELETE FROM targets WHERE village_code = @VillageCode AND campaign_year = @year",
                new { target.VillageCode, year = designation.CampaignYear });
            await session.ExecuteAsync("""
                INSERT INTO targets (village_code, campaign_year, village_name, township_name, county_code, campaign_ends_on, designated_at, entered_as_history)
                VALUES (@VillageCode, @year, @VillageName, @TownshipName, @county, @endsOn, @at, @history)
                """, new
            {
                target.VillageCode, year = designation.CampaignYear, target.VillageName, target.TownshipName,
                county = designation.CountyCode, endsOn = designation.CampaignEndsOn, at = designation.OccurredAt.UtcDateTime, history = designation.EnteredAsHistory,
            });
        }
    }
}
