using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Measures.Deadlines;
using Rectify.Measures.Ledger;
using Rectify.Measures.Plans;
using Rectify.Measures.Targets;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Demo;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Demo;

/// <summary>
/// The demo county's 17 targets (于都县, one or two per township) and plans for
/// all but the last two, which are left for a user to plan (see the README),
/// shaped like seed 001: four problems, three to five measures each, deadlines
/// from April to December. The year up to today is written as it happened
/// (progress, completion and 销号 on past days, some late, some overdue) through
/// the service's own plan and workflow code under a clock set to each past day.
/// </summary>
public static class DemoPlans
{
    public const string CountyCode = "360731000000";
    /// <summary>Targets left without a plan, so a first-time user can create one.</summary>
    public const int UnplannedTargets = 2;

    private static readonly (string Category, string Problem, string[] Measures)[] Template =
    [
        ("COLLECTIVE_ECONOMY", "村级集体经济薄弱，经营性收入基本没有，带领致富能力不强",
            ["理清发展思路，立足资源禀赋常态化研究推进集体经济", "争取村级集体经济扶持资金入股合作社，发展特色种养产业", "整修通组产业路，解决发展产业无路难的问题", "盘活闲置集体资产，增加村集体经营性收入"]),
        ("WEAK_LEADERSHIP", "组织动员力弱，“两委”班子全局意识不强",
            ["科学制定“三会一课”学习计划并严格落实", "落实村干部坐班、绩效月考核和请销假制度", "加强村级后备干部培养，择优充实村级干部队伍"]),
        ("MASS_CONTACT", "联系群众不够紧密，群众反映的路灯维修、排水设施等问题未有效解决",
            ["落实党群活动日和民事直说制度", "完成路灯维修和排水设施完善等民生实事", "开展“我为群众办实事”和党员承诺践诺"]),
        ("MEMBER_MANAGEMENT", "党员教育管理不严，党员队伍老龄化，作用发挥不好",
            ["制定发展党员中长期计划，培养年轻党员", "开展无职党员设岗定责，为党员户挂牌", "严格组织生活，规范开展主题党日"]),
    ];

    private static readonly string[] People = ["刘文华", "陈建国", "李春生", "王小平", "张志强", "曾桂英", "钟海林", "谢德明", "黄永福", "邱红梅"];

    /// <summary>The first planned targets finish early (all measures closed by early July): the assessment demo accepts them, fails one and looks back.</summary>
    public const int EarlyFinishers = 3;

    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var database = services.GetRequiredService<Database<MeasuresModule>>();
        if (await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM plans"), ct) > 0) return;

        var today = services.GetRequiredService<TimeProvider>().Today();
        // A campaign runs through the year; early in a year the demo shows last year's, still being finished.
        var year = DemoClock.CampaignYear(today);
        var startsOn = new DateOnly(year, 3, 1);
        var endsOn = new DateOnly(year, 12, 31);
        // The history is written as it happened: by the services' own code under a clock set to each past day.
        var past = new DemoClock();
        var targets = await ReadTargetsAsync();
        await database.WriteAsync(session => TargetRegistry.RecordAsync(session,
            new TargetsDesignated(CountyCode, year, endsOn, targets, past.At(new DateOnly(year, 3, 25)).GetUtcNow())), ct);

        var loader = new Caller("demo-loader", OrgCode.Nation, Role.Service);
        var plans = ActivatorUtilities.CreateInstance<PlanService>(services, past);
        var workflow = ActivatorUtilities.CreateInstance<MeasureWorkflow>(services, past);
        var steps = new List<(DateTime At, int Order, Func<Task> Run)>();
        var planned = targets.SkipLast(UnplannedTargets).ToList();
        for (var t = 0; t < planned.Count; t++)
        {
            var target = planned[t];
            var early = t < EarlyFinishers;
            var random = DemoClock.Seeded(target.VillageCode);
            var request = new CreatePlanRequest
            {
                VillageCode = target.VillageCode,
                CampaignYear = year,
                StartsOn = startsOn.ToProto(),
                BasicSituation = $"{target.VillageName}隶属{target.TownshipName}，经“两评—调研—排序”和“三级联评”确定为{year}年度软弱涣散基层党组织整顿对象。",
                Goals = { "建强村党组织班子，提升组织力", "加强党员教育管理，优化队伍结构", "发展壮大集体经济，增强带富能力" },
                Phases =
                {
                    new Phase { Name = "集中整顿", EndsOn = new DateOnly(year, 9, 30).ToProto() },
                    new Phase { Name = "自查评估", EndsOn = new DateOnly(year, 10, 15).ToProto() },
                    new Phase { Name = "巩固提高", EndsOn = new DateOnly(year, 10, 31).ToProto() },
                },
            };
            foreach (var (category, problem, measures) in Template)
            {
                var input = new ProblemInput { CategoryCode = category, Description = problem };
                foreach (var description in measures.Take(random.Next(3, measures.Length + 1)))
                {
                    // Deadlines over the campaign, from mid-April to December; the early finishers' by the end of June.
                    var deadline = early ? new DateOnly(year, 4, 20).AddDays(random.Next(0, 66)) : new DateOnly(year, 4, 15).AddDays(random.Next(0, 261));
                    input.Measures.Add(new MeasureInput
                    {
                        Description = description,
                        ResponsiblePersons = { People[random.Next(People.Length)] },
                        Deadline = deadline.ToProto(),
                        Ongoing = random.Next(3) == 0,
                    });
                }
                request.Problems.Add(input);
            }
            past.At(new DateOnly(year, 3, 28), 9 + t % 8);
            var plan = await plans.CreatePlanAsync(loader, request, ct);
            foreach (var measure in plan.Problems.SelectMany(p => p.Measures))
                Plan(steps, workflow, past, loader, measure, random, early, startsOn, today, ct);
        }
        // In the order they happened, so that each record and event carries its day.
        foreach (var step in steps.OrderBy(s => s.At).ThenBy(s => s.Order)) await step.Run();
        // The scan at start ran before these plans existed: today's reminders go out now, not tomorrow.
        await services.GetRequiredService<DeadlineScan>().RunAsync(ct);
    }

    /// <summary>
    /// How a village moved a measure along over the months up to today: most done by about their deadline (some late)
    /// and verified (销号) days later, a few behind or never started and now overdue, the ones not yet due under way
    /// or not started. The early finishers' measures are all done and verified by early July.
    /// </summary>
    private static void Plan(List<(DateTime, int, Func<Task>)> steps, MeasureWorkflow workflow, DemoClock past, Caller loader, Measure measure, Random random,
        bool early, DateOnly startsOn, DateOnly today, CancellationToken ct)
    {
        measure.Deadline.TryToDateOnly(out var deadline);
        var roll = early ? 99 : random.Next(100);
        var earliest = startsOn.AddDays(30);
        var yesterday = today.AddDays(-1);
        DateOnly Clamp(DateOnly d) => d < earliest ? earliest : d > yesterday ? yesterday : d;
        DateOnly? completed = null;
        DateOnly? progressed = null;
        if (deadline < today)
        {
            if (roll < 12) return; // never started: overdue
            progressed = Clamp(deadline.AddDays(-random.Next(15, 40)));
            if (roll >= 25)
                completed = Clamp(roll % 5 == 0 && !early ? deadline.AddDays(random.Next(1, 15)) : deadline.AddDays(-random.Next(0, 12)));
        }
        else
        {
            if (roll < 40) return; // not started yet
            progressed = Clamp(today.AddDays(-random.Next(1, 30)));
            if (roll >= 85) completed = Clamp(today.AddDays(-random.Next(1, 10)));
        }
        if (progressed is not { } p || p >= today) return;
        if (completed is { } c && c < p) p = c;
        var percent = random.Next(20, 90);
        Add(p, 1, () => workflow.RecordProgressAsync(loader, new RecordProgressRequest { MeasureId = measure.Id, Percent = percent, Note = "按计划推进", On = p.ToProto() }, ct));
        if (completed is not { } done) return;
        Add(done, 2, () => workflow.CompleteAsync(loader, new CompleteMeasureRequest { MeasureId = measure.Id, Note = "已完成，资料已归档", Evidence = { "会议记录.pdf", "现场照片.jpg" } }, ct));
        if (!early && roll % 3 == 0) return; // awaiting the township's verification
        var closed = done.AddDays(random.Next(2, early ? 6 : 13));
        if (closed >= today) return;
        Add(closed, 3, () => workflow.CloseAsync(loader, new CloseMeasureRequest { MeasureId = measure.Id, Verifier = "乡镇党委组织委员", Note = "经核查，同意销号" }, ct));

        void Add(DateOnly day, int order, Func<Task> run) =>
            steps.Add((day.ToDateTime(new TimeOnly(9 + order, 0)), order, async () => { past.At(day, 9 + order); await run(); }));
    }

    private static async Task<List<DesignatedTarget>> ReadTargetsAsync()
    {
        await using var file = typeof(DemoPlans).Assembly.GetManifestResourceStream("demo-targets.csv")
            ?? throw new InvalidOperationException("The demo targets file is not embedded.");
        using var reader = new StreamReader(file);
        var targets = new List<DesignatedTarget>();
        await reader.ReadLineAsync();
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
        {
            var fields = line.Split(',');
            targets.Add(new DesignatedTarget(fields[0], fields[1], fields[2]));
        }
        return targets;
    }
}
