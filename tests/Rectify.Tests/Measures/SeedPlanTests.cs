using Rectify.Kernel;
using System.Text.RegularExpressions;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>
/// The two real plans of the seeds, entered through the gRPC API and read back
/// as a ledger whose counts match the documents: seed 001 (a village's own plan,
/// 4 problems with 8 + 6 + 4 + 5 numbered measures) and seed 002 (a township's
/// plan for a village, 4 causes and 5 measures).
/// </summary>
public sealed partial class SeedPlanTests
{
    private const string Village = "360731101201";

    [GeneratedRegex(@"(?:^|[；;。])\s*(\d+)\.")]
    private static partial Regex NumberedItem();

    [GeneratedRegex(@"(\d{4})年(\d{1,2})月")]
    private static partial Regex YearMonth();

    /// <summary>Reads seed 001's section 四 as written: each numbered item of a problem's 整改措施 is one measure sharing the problem's persons and time limit.</summary>
    internal static List<(string Problem, List<string> Measures, List<string> Persons, DateOnly Deadline, bool Ongoing)> ReadSeed001()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Measures", "Seeds", "seed-001-village-plan.txt"));
        var problems = new List<(string, List<string>, List<string>, DateOnly, bool)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("问题") || !lines[i].Contains('：')) continue;
            var problem = lines[i][(lines[i].IndexOf('：') + 1)..];
            var text = lines[i + 1]["整改措施：".Length..];
            var items = NumberedItem().Matches(text);
            var measures = items.Select((item, k) => text[(item.Index + item.Length)..(k + 1 < items.Count ? items[k + 1].Index : text.Length)]
                .TrimEnd('；', ';', '。').Trim()).ToList();
            var persons = lines[i + 2][(lines[i + 2].IndexOf('：') + 1)..].Split(['、', ' '], StringSplitOptions.RemoveEmptyEntries).ToList();
            var limit = lines[i + 3];
            var month = YearMonth().Match(limit);
            // "2022年10月前": before October, so by the end of September.
            var deadline = new DateOnly(int.Parse(month.Groups[1].Value), int.Parse(month.Groups[2].Value), 1).AddDays(-1);
            problems.Add((problem, measures, persons, deadline, limit.Contains("长期坚持")));
        }
        return problems;
    }

    /// <summary>Seed 001's plan as the township enters it: 基本情况, 四个整改目标, 三个阶段, 4 problems with 8 + 6 + 4 + 5 measures.</summary>
    private static CreatePlanRequest Seed001Plan()
    {
        var seed = ReadSeed001();
        Assert.Equal([8, 6, 4, 5], seed.Select(p => p.Measures.Count));
        string[] categories = ["COLLECTIVE_ECONOMY", "WEAK_LEADERSHIP", "MASS_CONTACT", "MEMBER_MANAGEMENT"];
        var request = new CreatePlanRequest
        {
            VillageCode = Village, CampaignYear = 2022, StartsOn = D(2022, 4, 20),
            BasicSituation = "**村位于**北部，距离县城20公里……全村共有9个村民小组，共有301户1045人……党员34名（其中女性党员4名）。",
            Goals = { "全面夯实基层基础，建强基层组织", "加强党员教育管理，优化队伍结构", "锤炼过硬工作作风，提升服务水平", "发展壮大集体经济，增强带富能力" },
            Phases = { new Phase { Name = "集中整顿", EndsOn = D(2022, 9, 30) }, new Phase { Name = "自查评估", EndsOn = D(2022, 10, 15) }, new Phase { Name = "巩固提高", EndsOn = D(2022, 10, 31) } },
        };
        for (var p = 0; p < seed.Count; p++)
        {
            var problem = new ProblemInput { CategoryCode = categories[p], Description = seed[p].Problem };
            foreach (var measure in seed[p].Measures) problem.Measures.Add(Measure(measure, seed[p].Deadline, seed[p].Ongoing, [.. seed[p].Persons]));
            request.Problems.Add(problem);
        }
        return request;
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Seed_001_is_entered_and_read_back_with_the_documents_counts(DbProvider provider)
    {
        await using var host = await TestHost.StartAsync(provider, [new Rectify.Measures.MeasuresModule()], new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false" });
        await host.DesignateForYearAsync(2022, (Village, "**村", "**镇"));
        var request = Seed001Plan();
        // The township writes the plan (a village may not write its own).
        var plan = await host.Measures(OrgCode.Parse(Village).Parent!.Value.Value, subject: "**镇党委").CreatePlanAsync(request);
        var village = host.Measures(Village, subject: "**村党支部");

        var ledger = await village.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = Village, CampaignYear = 2022, Sort = MeasureSort.Village, Page = new Common.V1.PageRequest { PageSize = 100 } });
        Assert.Equal(23, ledger.TotalSize);
        Assert.All(ledger.Measures, m => Assert.True(m.Ongoing));
        Assert.Equal([8, 6, 4, 5], plan.Problems.Select(p => p.Measures.Count));
        Assert.Equal(["***"], plan.Problems[0].Measures[0].ResponsiblePersons);
        Assert.Equal(2, plan.Problems[2].Measures[0].ResponsiblePersons.Count);
        Assert.Equal(5, plan.Problems[3].Measures[0].ResponsiblePersons.Count);
        Assert.Equal([new DateOnly(2022, 9, 30), new DateOnly(2022, 5, 31), new DateOnly(2022, 6, 30), new DateOnly(2022, 9, 30)],
            plan.Problems.Select(p => { p.Measures[0].Deadline.TryToDateOnly(out var d); return d; }));
        Assert.StartsWith("积极争取中央三部委村级集体经济资金50万元", plan.Problems[0].Measures[1].Description);

        var counts = await village.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = Village, CampaignYear = 2022 });
        Assert.Equal((23, 0, 0), (counts.Total.Total, counts.Total.Closed, counts.Targets.Count - 1));
        // The fake clock stands in 2026, long after these deadlines: everything open is overdue, as it would be.
        Assert.Equal(23, counts.Total.Overdue);
    }

    /// <summary>Seed 002's plan as entered: the township's plan for XX村 of 2014 (第二批党的群众路线教育实践活动), 4 causes and 5 measures.</summary>
    private static CreatePlanRequest Seed002Plan()
    {
        string[] persons = ["XX(镇党委书记)", "住点干部"];
        return new CreatePlanRequest
        {
            VillageCode = Village, CampaignYear = 2014, StartsOn = D(2014, 3, 1),
            BasicSituation = "XX村现有居民XX户，XX人，其中党员XX人。",
            Goals = { "村级组织健全规范", "党员干部作用突出", "干部队伍重塑形象", "壮大村级集体经济", "获得群众认可满意" },
            // 摸底准备 → 集中整改 → 巩固提高: the seed names the phases without dates; the township sets them.
            Phases = { new Phase { Name = "摸底准备", EndsOn = D(2014, 4, 30) }, new Phase { Name = "集中整改", EndsOn = D(2014, 9, 30) }, new Phase { Name = "巩固提高", EndsOn = D(2014, 12, 15) } },
            Problems =
            {
                new ProblemInput { CategoryCode = "CLAN_INTERFERENCE", Description = "本位主义严重，大搞房头宗族" },
                new ProblemInput { CategoryCode = "LEGACY_ISSUES", Description = "遗留问题较多", Measures = { Measure("解决突出问题：对受宗族房头势力干扰的问题，通过对干部群众进行教育，保证村风民气纯正", new DateOnly(2014, 9, 30), false, persons) } },
                new ProblemInput { CategoryCode = "COLLECTIVE_ECONOMY", Description = "集体经济薄弱", Measures = { Measure("壮大集体经济：制定发展规划，采取有偿服务、合股经营等形式", new DateOnly(2014, 9, 30), true, persons) } },
                new ProblemInput
                {
                    CategoryCode = "WEAK_LEADERSHIP", Description = "干部素质不高",
                    Measures =
                    {
                        Measure("强化“两委”班子：镇党委指派住点干部帮助解决班子软散问题", new DateOnly(2014, 9, 30), false, persons),
                        Measure("发挥党员作用：交心谈心，开展党的群众路线教育实践活动", new DateOnly(2014, 9, 30), false, persons),
                        Measure("加强督办落实：定期不定期检查住村干部工作", new DateOnly(2014, 12, 15), true, persons),
                    },
                },
            },
        };
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Seed_002_is_entered_and_read_back_with_the_documents_counts(DbProvider provider)
    {
        await using var host = await TestHost.StartAsync(provider, [new Rectify.Measures.MeasuresModule()], new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false" });
        await host.DesignateForYearAsync(2014, (Village, "XX村", "XX镇"));
        var request = Seed002Plan();
        var township = host.Measures("360731101000", subject: "XX镇党委");
        var plan = await township.CreatePlanAsync(request);
        Assert.Equal([0, 1, 1, 3], plan.Problems.Select(p => p.Measures.Count));
        var counts = await township.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = "360731101000", CampaignYear = 2014 });
        Assert.Equal(5, counts.Total.Total);
        Assert.Equal(Village, counts.Targets.Single().VillageCode);
        Assert.Equal(5, (await township.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = Village, ResponsiblePerson = "住点干部" })).TotalSize);
    }
}
