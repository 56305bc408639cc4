using Rectify.Assessment.Campaigns;
using Rectify.Assessment.V1;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Identification;

/// <summary>
/// What a ranking reads: the campaign, its branches, and each branch's latest scores and findings. Reading a province's
/// 25,000 assessments is about half the time to StreamRanking's first page (the benchmark prints it), so the ranking reads
/// only the columns a score is made of, not the audit columns (recorded by, at, correction reason) it never shows.
/// </summary>
public static class RankingSource
{
    public static async Task<(CampaignRow Campaign, List<Branch> Branches, Dictionary<string, AssessmentRow> Assessments)> LoadAsync(DbSession session, string campaignId)
    {
        var campaign = await CampaignStore.LoadAsync(session, campaignId);
        var branches = await CampaignStore.BranchesAsync(session, campaign.Id);
        // Ordered by revision within a village, so the last row of a village is its latest (as LatestAssessmentsAsync).
        var rows = await session.QueryAsync<AssessmentRow>("""
            SELECT village_code AS VillageCode, revision AS Revision, satisfied AS Satisfied, basically_satisfied AS BasicallySatisfied,
                   dissatisfied AS Dissatisfied, ballots AS Ballots, team_operation_hundredths AS TeamOperation,
                   organizational_systems_hundredths AS OrganizationalSystems, cadre_team_hundredths AS CadreTeam,
                   vanguard_role_hundredths AS VanguardRole, findings AS Findings
            FROM assessments WHERE campaign_id = @campaignId ORDER BY village_code, revision
            """, new { campaignId = campaign.Id });
        var latest = new Dictionary<string, AssessmentRow>(branches.Count);
        foreach (var row in rows)
        {
            row.CampaignId = campaign.Id;
            latest[row.VillageCode] = row;
        }
        return (campaign, branches, latest);
    }
}
