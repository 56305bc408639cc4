using System.Text.Json;
using Dapper;
using Rectify.Assessment.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Campaigns;

public static class CampaignStore
{
    public static async Task<CampaignRow> LoadAsync(DbSession session, string campaignId)
    {
        if (!Guid.TryParse(campaignId, out _)) throw ValidationException.For("campaign_id", "must be a campaign id");
        return await session.QuerySingleOrDefaultAsync<CampaignRow>(
            $"SELECT {CampaignRow.Columns} FROM campaigns WHERE id = @campaignId",
            new { campaignId }) ?? throw new NotFoundException("campaign", campaignId);
    }

    public static async Task<List<Branch>> BranchesAsync(DbSession session, string campaignId) =>
        (await session.QueryAsync<Branch>("""
            SELECT village_code AS VillageCode, village_name AS VillageName, township_code AS TownshipCode, township_name AS TownshipName
            FROM campaign_branches WHERE campaign_id = @campaignId ORDER BY village_code
            """, new { campaignId })).ToList();

    /// <summary>The latest revision of every branch's assessment.</summary>
    public static async Task<Dictionary<string, AssessmentRow>> LatestAssessmentsAsync(DbSession session, string campaignId)
    {
        var rows = await session.QueryAsync<AssessmentRow>("""
            SELECT campaign_id AS CampaignId, village_code AS VillageCode, revision AS Revision, satisfied AS Satisfied,
                   basically_satisfied AS BasicallySatisfied, dissatisfied AS Dissatisfied, ballots AS Ballots,
                   team_operation_hundredths AS TeamOperation, organizational_systems_hundredths AS OrganizationalSystems,
                   cadre_team_hundredths AS CadreTeam, vanguard_role_hundredths AS VanguardRole, findings AS Findings, correction_reason AS CorrectionReason,
                   recorded_by AS RecordedBy, recorded_at AS RecordedAt
            FROM assessments WHERE campaign_id = @campaignId ORDER BY village_code, revision
            """, new { campaignId });
        var latest = new Dictionary<string, AssessmentRow>();
        foreach (var row in rows) latest[row.VillageCode] = row;
        return latest;
    }
}
