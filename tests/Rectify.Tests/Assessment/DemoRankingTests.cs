using Dapper;
using Rectify.Assessment;
using Rectify.Assessment.V1;
using Rectify.Host;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Assessment;

/// <summary>
/// The demo county's ranking, checked against a computation of its own written
/// straight from DESIGN.md (not the service's ranker), and the confirmed
/// targets against the measures demo's.
/// </summary>
public sealed class DemoRankingTests
{
    private sealed class Row
    {
        public string VillageCode { get; set; } = "";
        public string TownshipCode { get; set; } = "";
        public int Revision { get; set; }
        public int Satisfied { get; set; }
        public int BasicallySatisfied { get; set; }
        public int Ballots { get; set; }
        public double TeamOperation { get; set; }
        public double OrganizationalSystems { get; set; }
        public double CadreTeam { get; set; }
        public double VanguardRole { get; set; }
        public string Findings { get; set; } = "";
    }

    [Fact]
    public async Task The_demo_ranking_matches_an_independent_computation_and_confirms_the_measures_demos_targets()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, new Dictionary<string, string?> { ["Rectify:Demo"] = "true", ["Rectify:Measures:ScheduleScans"] = "false" });
        var database = host.Get<Database<AssessmentModule>>();
        var campaignId = await database.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT id FROM campaigns"));
        var rows = (await database.ReadAsync(c => c.QueryAsync<Row>("""
            SELECT a.village_code AS VillageCode, b.township_code AS TownshipCode, a.revision AS Revision, a.satisfied AS Satisfied,
                   a.basically_satisfied AS BasicallySatisfied, a.ballots AS Ballots, a.team_operation_hundredths / 100.0 AS TeamOperation,
                   a.organizational_systems_hundredths / 100.0 AS OrganizationalSystems, a.cadre_team_hundredths / 100.0 AS CadreTeam,
                   a.vanguard_role_hundredths / 100.0 AS VanguardRole, a.findings AS Findings
            FROM assessments a JOIN campaign_branches b ON b.campaign_id = a.campaign_id AND b.village_code = a.village_code
            """))).GroupBy(r => r.VillageCode).Select(g => g.MaxBy(r => r.Revision)!).ToList();
        Assert.Equal(165, rows.Count);

        // DESIGN.md §2: 50 × satisfaction rate + 50% of the committee score (the mean of four dimensions), minus
        // deductions (集体经济薄弱 5, 班子 5, 服务 3, 管理 3); ascending; ties by rate, committee score, code.
        var deductions = new Dictionary<string, double> { ["WEAK_ECONOMY"] = 5, ["WEAK_TEAM"] = 5, ["POOR_SERVICE"] = 3, ["LAX_MANAGEMENT"] = 3 };
        var expected = rows.Select(r =>
        {
            var rate = (r.Satisfied + r.BasicallySatisfied) / (double)r.Ballots;
            var committee = (r.TeamOperation + r.OrganizationalSystems + r.CadreTeam + r.VanguardRole) / 4;
            var deducted = deductions.Where(d => r.Findings.Contains($"\"{d.Key}\"")).Sum(d => d.Value);
            return (r.VillageCode, Composite: 50 * rate + 0.5 * committee - deducted, rate, committee);
        }).OrderBy(x => Math.Round(x.Composite, 6)).ThenBy(x => x.rate).ThenBy(x => x.committee).ThenBy(x => x.VillageCode, StringComparer.Ordinal).Select(x => x.VillageCode).ToList();

        var county = host.Assessment(Rectify.Assessment.Demo.DemoCampaign.CountyCode);
        var ranking = await county.GetRankingAsync(new GetRankingRequest { CampaignId = campaignId });
        Assert.Equal(expected, ranking.Branches.Select(b => b.Branch.VillageCode));

        var targets = (await county.ListTargetsAsync(new ListTargetsRequest { CampaignId = campaignId })).Targets.Select(t => t.Branch.VillageCode).Order().ToList();
        var measuresDemo = (await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "demo-targets.csv"))).Skip(1).Select(l => l.Split(',')[0]).Order().ToList();
        Assert.Equal(measuresDemo, targets);
        var proposals = await county.ListProposalsAsync(new ListProposalsRequest { CampaignId = campaignId });
        Assert.Equal((24, 17, 7), (proposals.Proposals.Count, proposals.Proposals.Count(p => p.Status == ProposalStatus.Confirmed), proposals.Proposals.Count(p => p.Status == ProposalStatus.Rejected)));
        Assert.Contains(proposals.Proposals, p => p.AutoDesignationReasons.Contains("SECRETARY_VACANT") && p.Status == ProposalStatus.Confirmed);
    }
}
