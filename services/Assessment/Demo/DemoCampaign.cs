using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Assessment.Acceptance;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Demo;
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
        var year = DemoClock.CampaignYear(today);
        var loader = new Caller("demo-loader", OrgCode.Nation, Role.Service);
        // Written as it happened, in March, by the service's own code under a clock set to those days.
        var past = new DemoClock();
        var campaigns = ActivatorUtilities.CreateInstance<CampaignService>(services, past);
        var identification = ActivatorUtilities.CreateInstance<IdentificationService>(services, past);

        past.At(new DateOnly(year, 3, 5));
        var campaign = await campaigns.CreateAsync(loader, new CreateCampaignRequest { CountyCode = CountyCode, Year = year }, ct);
        var targets = await ReadTargetsAsync();
        past.At(new DateOnly(year, 3, 12));
        // Where a township has one target, its runner-up is proposed too and then rejected by the county.
        var runnersUp = campaign.Branches.GroupBy(b => b.TownshipCode)
            .Where(g => g.Count(b => targets.Contains(b.VillageCode)) == 1)
            .Select(g => g.First(b => !targets.Contains(b.VillageCode)).VillageCode)
            .ToHashSet();
        var first = true;
        foreach (var branch in campaign.Branches)
        {
            var random = new Random(OrgCode.Parse(branch.VillageCode).NumberInCounty);
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

        past.At(new DateOnly(year, 3, 18));
        var proposals = await identification.ProposeAsync(loader, new ProposeTargetsRequest { CampaignId = campaign.Id }, ct);
        past.At(new DateOnly(year, 3, 22));
        foreach (var proposal in proposals.Proposals)
        {
            var confirm = targets.Contains(proposal.Branch.VillageCode);
            await identification.ReviewAsync(loader, new ReviewProposalRequest
            {
                CampaignId = campaign.Id, VillageCode = proposal.Branch.VillageCode, Confirm = confirm,
                Reason = confirm ? "经“三级联评”，确定为软弱涣散基层党组织整顿对象" : "经县委组织部复核，该村问题已整改到位，不列为整顿对象",
            }, ct);
        }
        past.At(new DateOnly(year, 3, 25));
        await identification.ConfirmAsync(loader, new ConfirmTargetsRequest { CampaignId = campaign.Id }, ct);
        await AcceptAsync(services, past, loader, campaign.Id, year, today, ct);
    }

    /// <summary>
    /// 验收 of the measures demo's early finishers (every measure closed by early July): two pass in July — the first
    /// gets its 回头看 in October, three months on — and one fails in late September, which sends it back (回炉) with
    /// its measures reopened. Only what has happened by today is recorded.
    /// </summary>
    private static async Task AcceptAsync(IServiceProvider services, DemoClock past, Caller loader, string campaignId, int year, DateOnly today, CancellationToken ct)
    {
        var early = (await ReadTargetListAsync()).Take(3).ToList();
        var acceptance = ActivatorUtilities.CreateInstance<AcceptanceService>(services, past);
        // A failure reopens the measures now (the measures service's clock): the new deadline lies ahead of today.
        var newDeadline = today.AddDays(45);
        RecordAcceptanceRequest Review(string village, DateOnly heldOn, double score, int dissatisfied) => new()
        {
            CampaignId = campaignId, VillageCode = village, HeldOn = heldOn.ToProto(), NewDeadline = newDeadline.ToProto(),
            Aspects = { new AspectScore { Aspect = "班子建设", Score = score }, new AspectScore { Aspect = "制度落实", Score = score + 4 }, new AspectScore { Aspect = "为民办事", Score = score - 4 } },
            Votes = new Votes { Satisfied = 30 - dissatisfied - 5, BasicallySatisfied = 5, Dissatisfied = dissatisfied, Ballots = 30 },
        };
        var steps = new (DateOnly On, Func<Task> Run)[]
        {
            (new DateOnly(year, 7, 15), () => acceptance.AcceptAsync(loader, Review(early[0], new DateOnly(year, 7, 15), 84, 2), ct)),
            (new DateOnly(year, 7, 18), () => acceptance.AcceptAsync(loader, Review(early[1], new DateOnly(year, 7, 18), 78, 3), ct)),
            (new DateOnly(year, 9, 25), () => acceptance.AcceptAsync(loader, Review(early[2], new DateOnly(year, 9, 25), 62, 9), ct)),
            (new DateOnly(year, 10, 16), () => acceptance.LookBackAsync(loader, Review(early[0], new DateOnly(year, 10, 16), 86, 1), ct)),
        };
        foreach (var (on, run) in steps.Where(s => s.On < today))
        {
            past.At(on, 15);
            await run();
        }
    }

    private static async Task<HashSet<string>> ReadTargetsAsync() => (await ReadTargetListAsync()).ToHashSet();

    private static async Task<List<string>> ReadTargetListAsync()
    {
        await using var file = typeof(DemoCampaign).Assembly.GetManifestResourceStream("demo-targets.csv")
            ?? throw new InvalidOperationException("The demo targets file is not embedded.");
        using var reader = new StreamReader(file);
        var codes = new List<string>();
        await reader.ReadLineAsync();
        while (await reader.ReadLineAsync() is { Length: > 0 } line) codes.Add(line.Split(',')[0]);
        return codes;
    }
}
