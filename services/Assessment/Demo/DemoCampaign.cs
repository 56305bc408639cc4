using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Demo;

/// <summary>
/// The demo county's campaign run end to end through the service's own code:
/// every branch assessed (两评—调研), ranked, two proposals per township (the
/// 10% quota of 12–16 branches, rounded up), the county confirming the 17
/// targets the measures demo plans for and rejecting the other seven with a
/// reason, then confirming — which publishes TargetsDesignated.
/// </summary>
public static class DemoCampaign
{
    public const string CountyCode = "360731000000";

    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var database = services.GetRequiredService<Database<AssessmentModule>>();
        if (await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM campaigns"), ct) > 0) return;
        var today = services.GetRequiredService<TimeProvider>().Today();
        // The same campaign year as the measures demo: this year from April on, last year before.
        var year = today.Month >= 4 ? today.Year : today.Year - 1;
        var loader = new Caller("demo-loader", OrgCode.Nation, Role.Service);
        var campaigns = services.GetRequiredService<CampaignService>();
        var identification = services.GetRequiredService<IdentificationService>();

        var campaign = await campaigns.CreateAsync(loader, new CreateCampaignRequest { CountyCode = CountyCode, Year = year }, ct);
        var targets = await ReadTargetsAsync();
        // Where a township has one target, its runner-up is proposed too and then rejected by the county.
        var runnersUp = campaign.Branches.GroupBy(b => b.TownshipCode)
            .Where(g => g.Count(b => targets.Contains(b.VillageCode)) == 1)
            .Select(g => g.First(b => !targets.Contains(b.VillageCode)).VillageCode)
            .ToHashSet();
        var first = true;
        foreach (var branch in campaign.Branches)
        {
            var random = new Random(int.Parse(branch.VillageCode[6..]));
            var (rate, low, high) = targets.Contains(branch.VillageCode) ? (0.61 + random.NextDouble() * 0.05, 48, 58)
                : runnersUp.Contains(branch.VillageCode) ? (0.68 + random.NextDouble() * 0.03, 60, 64)
                : (0.78 + random.NextDouble() * 0.18, 70, 95);
            var ballots = random.Next(40, 81);
            var content = (int)Math.Ceiling(ballots * rate);
            var satisfied = content * 3 / 5;
            var request = new RecordAssessmentRequest
            {
                CampaignId = campaign.Id, VillageCode = branch.VillageCode,
                Votes = new Votes { Satisfied = satisfied, BasicallySatisfied = content - satisfied, Dissatisfied = ballots - content, Ballots = ballots },
                Committee = new CommitteeScores { TeamOperation = random.Next(low, high + 1), OrganizationalSystems = random.Next(low, high + 1), CadreTeam = random.Next(low, high + 1), VanguardRole = random.Next(low, high + 1) },
            };
            if (targets.Contains(branch.VillageCode))
            {
                request.Findings.Add(new Finding { Code = "WEAK_ECONOMY", Note = "村集体经营性收入基本没有" });
                if (first) request.Findings.Add(new Finding { Code = "SECRETARY_VACANT", Note = "原书记调离后书记岗位空缺4个月" });
                first = false;
            }
            else if (random.Next(5) == 0) request.Findings.Add(new Finding { Code = "POOR_SERVICE", Note = "群众反映办事难" });
            await identification.RecordAsync(loader, request, ct);
        }

        var proposals = await identification.ProposeAsync(loader, new ProposeTargetsRequest { CampaignId = campaign.Id }, ct);
        foreach (var proposal in proposals.Proposals)
        {
            var confirm = targets.Contains(proposal.Branch.VillageCode);
            await identification.ReviewAsync(loader, new ReviewProposalRequest
            {
                CampaignId = campaign.Id, VillageCode = proposal.Branch.VillageCode, Confirm = confirm,
                Reason = confirm ? "经“三级联评”，确定为软弱涣散基层党组织整顿对象" : "经县委组织部复核，该村问题已整改到位，不列为整顿对象",
            }, ct);
        }
        await identification.ConfirmAsync(loader, new ConfirmTargetsRequest { CampaignId = campaign.Id }, ct);
    }

    private static async Task<HashSet<string>> ReadTargetsAsync()
    {
        await using var file = typeof(DemoCampaign).Assembly.GetManifestResourceStream("demo-targets.csv")
            ?? throw new InvalidOperationException("The demo targets file is not embedded.");
        using var reader = new StreamReader(file);
        var codes = new HashSet<string>();
        await reader.ReadLineAsync();
        while (await reader.ReadLineAsync() is { Length: > 0 } line) codes.Add(line.Split(',')[0]);
        return codes;
    }
}
