using System.Text.Json;
using Dapper;
using Rectify.Assessment.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Campaigns;

/// <summary>A campaign as stored, with its branches.</summary>
public sealed class CampaignRow
{
    public string Id { get; set; } = "";
    public string CountyCode { get; set; } = "";
    public int Year { get; set; }
    public string Settings { get; set; } = "";
    public DateTime? ConfirmedAt { get; set; }
    /// <summary>An earlier year's campaign whose targets were recorded as history (RecordPastTargets), not identified here.</summary>
    public bool EnteredAsHistory { get; set; }

    public const string Columns = "id AS Id, county_code AS CountyCode, year AS Year, settings AS Settings, confirmed_at AS ConfirmedAt, entered_as_history AS EnteredAsHistory";

    public Settings Rules => JsonSerializer.Deserialize<Settings>(Settings)!;
    public bool Confirmed => ConfirmedAt is not null;
    /// <summary>The campaign as an id-based record of its county: outside the county's line it is NotFound.</summary>
    public Rectify.Platform.Identity.Owned Owned => new("campaign", Id, Rectify.Platform.OrgCode.Parse(CountyCode));
}

/// <summary>A row of assessments: one revision of a branch's evaluations and findings.</summary>
public sealed class AssessmentRow
{
    public string CampaignId { get; set; } = "";
    public string VillageCode { get; set; } = "";
    public int Revision { get; set; }
    public int Satisfied { get; set; }
    public int BasicallySatisfied { get; set; }
    public int Dissatisfied { get; set; }
    public int Ballots { get; set; }
    public double TeamOperation { get; set; }
    public double OrganizationalSystems { get; set; }
    public double CadreTeam { get; set; }
    public double VanguardRole { get; set; }
    /// <summary>JSON array of {Code, Note}.</summary>
    public string Findings { get; set; } = "[]";
    public string? CorrectionReason { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime RecordedAt { get; set; }

    public sealed record FindingRecord(string Code, string Note);

    public IReadOnlyList<FindingRecord> FindingList => JsonSerializer.Deserialize<List<FindingRecord>>(Findings)!;
    public double SatisfactionRate => Ballots == 0 ? 0 : (double)(Satisfied + BasicallySatisfied) / Ballots;
    public double CommitteeScore => (TeamOperation + OrganizationalSystems + CadreTeam + VanguardRole) / 4;
}

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
                   team_operation AS TeamOperation, organizational_systems AS OrganizationalSystems, cadre_team AS CadreTeam,
                   vanguard_role AS VanguardRole, findings AS Findings, correction_reason AS CorrectionReason,
                   recorded_by AS RecordedBy, recorded_at AS RecordedAt
            FROM assessments WHERE campaign_id = @campaignId ORDER BY village_code, revision
            """, new { campaignId });
        var latest = new Dictionary<string, AssessmentRow>();
        foreach (var row in rows) latest[row.VillageCode] = row;
        return latest;
    }
}
