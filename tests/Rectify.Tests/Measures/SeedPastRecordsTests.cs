using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Assessment;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>
/// Seeds 001, 002 and 004 entered as the past records they are, over real gRPC, in a host with organizations, assessment
/// and measures whose clock stands at 2027-03-01: the county records the year's designation with its date and basis
/// (RecordPastTargets), the township enters the plan, the ledger's progress and completions are entered with the dates
/// the documents give, and everything is read back as entered. Where a document gives no date the test says which it uses.
/// </summary>
public sealed partial class SeedPlanTests
{
    private const string County = "360731000000";
    private const string Township = "360731101000";

    private static async Task<TestHost> PastHostAsync(DbProvider provider, params (string Code, string Name, string Parent)[] units)
    {
        var host = await AssessmentFixture.StartAsync(provider);
        using var call = host.Organizations("000000000000", Role.Service).ImportUnits();
        foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000") }.Concat(units))
            await call.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent });
        await call.RequestStream.CompleteAsync();
        Assert.Empty((await call).Errors);
        return host;
    }

    private static async Task<PastDesignation> DesignatePastAsync(TestHost host, int year, DateOnly decidedOn, string basis, params string[] villages)
    {
        var county = new AssessmentService.AssessmentServiceClient(host.As(County, Role.Reviewer, "县委组织部"));
        var recorded = await county.RecordPastTargetsAsync(new RecordPastTargetsRequest
            { CountyCode = County, Year = year, DecidedOn = decidedOn.ToProto(), Basis = basis, VillageCodes = { villages } });
        var targets = (await county.ListTargetsAsync(new ListTargetsRequest { CampaignId = recorded.CampaignId })).Targets;
        Assert.Equal(villages.Order(), targets.Select(t => t.Branch.VillageCode).Order());
        Assert.All(targets, t => Assert.Equal((decidedOn, basis, TargetStatus.Designated), (t.DecidedOn.ToDateOnly(), t.Basis, t.Status)));
        Assert.True((await county.GetCampaignAsync(new GetCampaignRequest { CampaignId = recorded.CampaignId })).EnteredAsHistory);
        return recorded;
    }

    /// <summary>The township writes the plan once the measures service has learnt of the designation, and it reads back as entered.</summary>
    private static async Task<Plan> EnterPlanAsync(TestHost host, CreatePlanRequest request, string township)
    {
        var client = host.Measures(township, subject: "镇党委");
        var plan = await Poll.Until(() => client.CreatePlanAsync(request).ResponseAsync);
        var read = await host.Measures(request.VillageCode, Role.Viewer).GetPlanAsync(new GetPlanRequest { PlanId = plan.Id });
        Assert.Equal((request.VillageCode, request.CampaignYear, request.StartsOn, request.BasicSituation), (read.VillageCode, read.CampaignYear, read.StartsOn, read.BasicSituation));
        Assert.Equal(request.Goals, read.Goals);
        Assert.Equal(request.Phases, read.Phases);
        Assert.Equal(
            request.Problems.Select(p => (p.CategoryCode, p.Description, string.Join("‖", p.Measures.Select(m => $"{m.Description}|{string.Join("、", m.ResponsiblePersons)}|{m.Deadline}|{m.Ongoing}")))),
            read.Problems.Select(p => (p.CategoryCode, p.Description, string.Join("‖", p.Measures.Select(m => $"{m.Description}|{string.Join("、", m.ResponsiblePersons)}|{m.Deadline}|{m.Ongoing}")))));
        return read;
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Seed_001_is_entered_as_the_past_record_it_is_and_read_back_unchanged(DbProvider provider)
    {
        await using var host = await PastHostAsync(provider, (Township, "**镇", County), (Village, "**村", Township));
        // 基本情况 as a profile: 301户1045人, 党员34名 (其中女性4名), 一肩挑, and the three age brackets it reports (3, 5, 4 of its members);
        // the operating income is the 2021 figure it gives (合作社分红0.5万元).
        var profile = new PartyOrganizationProfile
        {
            VillageCode = Village, Year = 2022, OrganizationType = PartyOrganizationType.Branch, SecretaryIsDirector = true, Members = 34, WomenMembers = 4,
            MemberAges = new MemberAges { Age30OrUnder = 3, Age31To40 = 5, Age41To45 = 4 }, Households = 301, Population = 1045, CollectiveOperatingIncomeYuan = 5_000,
        };
        await host.Organizations(Township, subject: "**镇党委").SetProfileAsync(new SetProfileRequest { Profile = profile });
        var read = await host.Organizations(Village, Role.Viewer).GetProfileAsync(new GetProfileRequest { VillageCode = Village, Year = 2022 });
        profile.UpdatedBy = read.UpdatedBy;
        profile.UpdatedAt = read.UpdatedAt;
        Assert.Equal(profile, read);

        // The decision: 县委组发〔2022〕40号 and the 三级联评; the plan of 2022-04-20 states it, so that date stands for the decision.
        await DesignatePastAsync(host, 2022, new DateOnly(2022, 4, 20), "县委组发〔2022〕40号《**2022年度软弱涣散基层党组织集中整顿实施方案的通知》；“三级联评”程序确定", Village);
        var plan = await EnterPlanAsync(host, Seed001Plan(), Township);
        Assert.Equal([8, 6, 4, 5], plan.Problems.Select(p => p.Measures.Count));
        Assert.All(plan.Problems.SelectMany(p => p.Measures), m => Assert.True(m.Ongoing)); // 「…前及长期坚持」
        Assert.Equal([new DateOnly(2022, 9, 30), new DateOnly(2022, 5, 31), new DateOnly(2022, 6, 30), new DateOnly(2022, 9, 30)], plan.Problems.Select(p => p.Measures[0].Deadline.ToDateOnly()));
        // The ledger is the plan's 23 measures; the document reports no progress on them, so none is entered.
        var counts = await host.Measures(Village, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = Village, CampaignYear = 2022 });
        Assert.Equal((23, 0, 0), (counts.Total.Total, counts.Total.Completed, counts.Total.Closed));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Seed_002_is_entered_as_the_past_record_it_is_and_read_back_unchanged(DbProvider provider)
    {
        await using var host = await PastHostAsync(provider, (Township, "XX镇", County), (Village, "XX村", Township));
        // 2014: "今年正值第二批开展党的群众路线教育实践活动". The document gives no date of the decision; its plan start stands for it.
        await DesignatePastAsync(host, 2014, new DateOnly(2014, 3, 1), "XX市委组织部《关于切实抓好软弱涣散基层党组织重点整顿工作的实施意见》；XX镇党委研究确定为后进基层组织", Village);
        var plan = await EnterPlanAsync(host, Seed002Plan(), Township);
        Assert.Equal([0, 1, 1, 3], plan.Problems.Select(p => p.Measures.Count));
        Assert.Equal(["摸底准备", "集中整改", "巩固提高"], plan.Phases.Select(p => p.Name));
    }

    /// <summary>One village's 一村一策 of seed 004 and the progress the report gives for it.</summary>
    private sealed record Entry(int Problem, int Measure, DateOnly On, string Note, bool Completed);

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Seed_004_is_entered_as_the_past_record_it_is_and_read_back_unchanged(DbProvider provider)
    {
        // The township's three 后进村 (XX、XX和XX村) of its second round; the report names them all XX村.
        string[] villages = ["360731101201", "360731101202", "360731101203"];
        await using var host = await PastHostAsync(provider, (Township, "XX镇", County), (villages[0], "XX村", Township), (villages[1], "XX村", Township), (villages[2], "XX村", Township));
        // The report is undated; "我为群众办实事" and the preparation of the village elections place it in 2021, and its
        // latest dated fact is "8月底": the test takes 2021, a decision on 1 March and the report on 30 September.
        await DesignatePastAsync(host, 2021, new DateOnly(2021, 3, 1), "市委“两示范一整顿”部署；镇委扩大会议研究确定XX、XX和XX村为第二轮后进村集中整治", villages);
        var reported = new DateOnly(2021, 9, 30);
        string[] persons = ["驻村干部", "村支书", "村长"]; // 驻村干部为第一责任人，各村支书、村长为具体责任人
        var yearEnd = new DateOnly(2021, 12, 31);
        CreatePlanRequest Plan(string village, params ProblemInput[] problems) => new()
        {
            VillageCode = village, CampaignYear = 2021, StartsOn = D(2021, 3, 1), BasicSituation = "第二轮后进村集中整治对象（一村一策）",
            Goals = { "解决村级班子战斗力不强、村级组织运转不规范、农村党员队伍先进性不明显、村里各项事业发展缓慢等突出问题", "消除影响村级组织换届的历史遗留问题" },
            // The report describes 调查摸底 → 一村一策 → 督导; the test dates them.
            Phases = { new Phase { Name = "调查摸底", EndsOn = D(2021, 4, 30) }, new Phase { Name = "集中整治", EndsOn = D(2021, 10, 31) }, new Phase { Name = "巩固提高", EndsOn = D(2021, 12, 31) } },
            Problems = { problems },
        };
        ProblemInput Problem(string category, string description, params string[] measures) =>
            new() { CategoryCode = category, Description = description, Measures = { measures.Select(m => Measure(m, yearEnd, false, persons)) } };

        var plans = new (CreatePlanRequest Plan, Entry[] Ledger)[]
        {
            (Plan(villages[0],
                Problem("LEGACY_ISSUES", "历史遗留问题：村民宅基地问题", "化解村民宅基地历史遗留问题"),
                Problem("LEGACY_ISSUES", "重点工程建设引发的问题：X大道XX段征地政策处理问题", "做好X大道XX段征地政策处理，签订征地协议，落实征地款"),
                Problem("MASS_CONTACT", "基础设施建设问题：村办公楼建设问题", "建成村办公楼并投入使用")),
             [new(1, 0, new DateOnly(2021, 8, 31), "已于8月底签订征地协议，征地款也已到位", true), new(2, 0, reported, "村办公楼已竣工并投入使用", true)]),
            (Plan(villages[1],
                Problem("LEGACY_ISSUES", "历史遗留问题：有关移民政策处理问题", "在市移民办支持下妥善解决移民征地款的分配问题", "协调处理其余遗留问题"),
                Problem("LEGACY_ISSUES", "重点工程建设引发的问题：X大道XX段征地政策处理问题", "做好X大道XX段征地政策处理，签订征地协议"),
                Problem("MASS_CONTACT", "基础设施建设问题：老人公寓建设问题", "建成老人公寓")),
             [new(0, 0, reported, "有关移民征地款的分配问题在市移民办大力支持下已妥善解决", true), new(0, 1, reported, "遗留问题正在协调处理中", false),
              new(1, 0, reported, "XX大道征地已经签订征地协议", true), new(2, 0, reported, "老人公寓建设现已完工", true)]),
            (Plan(villages[2],
                Problem("COLLECTIVE_ECONOMY", "村集体经济薄弱", "发展精品蔬菜等优势产业，村集体经济收入超过10万元"),
                Problem("WEAK_LEADERSHIP", "村两委班子战斗力不强；原副书记辞职，副书记一职长期缺位", "“书记带书记”“强村带弱村”结对帮带，提高“两委”班子能力", "选优配强班子成员，补齐副书记"),
                Problem("CLAN_INTERFERENCE", "村集体与村民之间产生矛盾纠纷", "化解收取厂房租金时发生的人身意外伤害纠纷"),
                Problem("MASS_CONTACT", "基础设施建设问题：XX机耕路浇注水泥路面的资金缺口问题", "协调解决机耕路浇注水泥路面资金缺口")),
             [new(0, 0, reported, "截至目前，后进村集体经济收入全部超过10万元", true), new(2, 0, reported, "人身意外伤害也已初步解决", false),
              new(3, 0, reported, "市委组织部长牵头召开协调会，资金缺口问题得到妥善解决", true)]),
        };
        foreach (var (request, ledger) in plans)
        {
            var plan = await EnterPlanAsync(host, request, Township);
            var township = host.Measures(Township, subject: "镇党委");
            foreach (var entry in ledger)
            {
                var id = plan.Problems[entry.Problem].Measures[entry.Measure].Id;
                // The report gives what was done, not a share: a finished item is recorded at 100 %, one under way at 0 % with its note.
                await township.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, On = entry.On.ToProto(), Percent = entry.Completed ? 100 : 0, Note = entry.Note });
                if (entry.Completed) await township.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id, Note = entry.Note, OccurredOn = entry.On.ToProto() });
            }
            // Read back: every measure's status and its history as entered, dated when it happened and recorded as entered now.
            foreach (var (problem, p) in plan.Problems.Select((problem, p) => (problem, p)))
                foreach (var (measure, m) in problem.Measures.Select((measure, m) => (measure, m)))
                {
                    var detail = await township.GetMeasureAsync(new GetMeasureRequest { MeasureId = measure.Id });
                    var entered = ledger.SingleOrDefault(e => e.Problem == p && e.Measure == m);
                    Assert.Equal(entered is null ? MeasureStatus.NotStarted : entered.Completed ? MeasureStatus.Completed : MeasureStatus.InProgress, detail.Measure.Status);
                    var expected = entered is null ? [] : entered.Completed
                        ? new[] { (MeasureChangeKind.Progressed, entered.On, entered.Note), (MeasureChangeKind.Completed, entered.On, entered.Note) }
                        : [(MeasureChangeKind.Progressed, entered.On, entered.Note)];
                    Assert.Equal(expected, detail.History.Skip(1).Select(h => (h.Kind, h.On.ToDateOnly(), h.Note)));
                    Assert.All(detail.History, h => Assert.Equal(host.Clock.GetUtcNow(), h.RecordedAt.ToDateTimeOffset()));
                }
        }
        var counts = await host.Measures(Township, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = Township, CampaignYear = 2021 });
        Assert.Equal((12, 7, 0), (counts.Total.Total, counts.Total.Completed, counts.Total.Closed));
    }
}
