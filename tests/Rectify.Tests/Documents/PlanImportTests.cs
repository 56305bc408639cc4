using ClosedXML.Excel;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Documents;

/// <summary>
/// The 问题清单和整改措施 template, filled and imported over real gRPC: seed 001's plan in and read back text for text,
/// a dry run writing nothing, the same file again changing nothing, every bad row placed by sheet, row and column, and
/// a file with one bad row writing none of its good ones.
/// </summary>
public sealed class PlanImportTests
{
    private const string Seed001Village = "360731101201";
    private const string Seed001Township = "360731101000";

    private static Task<byte[]> TemplateAsync(MeasureService.MeasureServiceClient client, string scope, int year) =>
        WorkbookFiles.DownloadAsync(client.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Plan, ScopeCode = scope, CampaignYear = year }));

    private static Task<ImportReport> ImportAsync(MeasureService.MeasureServiceClient client, string scope, int year, byte[] file, bool dryRun) =>
        WorkbookFiles.UploadAsync(client.ImportWorkbook(), TemplateKind.Plan, scope, year, file, dryRun);

    private static async Task<Dictionary<string, string>> CategoryNamesAsync(MeasureService.MeasureServiceClient client, string unit) =>
        (await client.ListProblemCategoriesAsync(new ListProblemCategoriesRequest { UnitCode = unit, ActiveOnly = true })).Categories.ToDictionary(c => c.Code, c => c.Name);

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Seed_001_filled_into_the_template_imports_and_reads_back_as_the_same_plan_and_again_changes_nothing(DbProvider provider)
    {
        await using var host = await TestHost.StartAsync(provider, [new MeasuresModule()], new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false" });
        await host.DesignateForYearAsync(2022, (Seed001Village, "**村", "**镇"));
        var township = host.Measures(Seed001Township, subject: "**镇党委");
        var names = await CategoryNamesAsync(township, Seed001Township);
        string[] categories = ["COLLECTIVE_ECONOMY", "WEAK_LEADERSHIP", "MASS_CONTACT", "MEMBER_MANAGEMENT"];
        var seed = SeedPlanTests.ReadSeed001();
        Assert.Equal([8, 6, 4, 5], seed.Select(p => p.Measures.Count));

        var template = await TemplateAsync(township, Seed001Township, 2022);
        var problemRows = seed.Select((p, i) => new object?[] { Seed001Village, i + 1, names[categories[i]], p.Problem });
        var measureRows = seed.SelectMany((p, i) => p.Measures.Select((m, j) => new object?[]
            { Seed001Village, i + 1, j + 1, m, string.Join("、", p.Persons), p.Deadline, p.Ongoing ? "是" : "否" }));
        var file = WorkbookFiles.Fill(template, ("问题清单", problemRows), ("整改措施", measureRows));

        // No plan yet: its 整顿方案 cannot be exported (a clear refusal, not an empty document).
        var noPlan = await Assert.ThrowsAsync<RpcException>(() => WorkbookFiles.DownloadAsync(
            township.ExportPlanDocument(new ExportPlanDocumentRequest { VillageCode = Seed001Village, CampaignYear = 2022 })));
        Assert.Equal(StatusCode.FailedPrecondition, noPlan.StatusCode);
        Assert.Contains("整顿方案尚未制定", noPlan.Status.Detail);

        var before = await Snapshot(host);
        var dry = await ImportAsync(township, Seed001Township, 2022, file, dryRun: true);
        Assert.True(dry.DryRun);
        Assert.Empty(dry.Problems);
        Assert.Equal((27, 27, 0), (dry.Rows, dry.Added, dry.Unchanged));
        Assert.Equal(before, await Snapshot(host));

        var done = await ImportAsync(township, Seed001Township, 2022, file, dryRun: false);
        Assert.Equal((false, true, 27, 27, 0, 0), (done.DryRun, done.Applied, done.Rows, done.Added, done.Changed, done.Unchanged));

        // Read back through the API: the same plan, text for text.
        var village = host.Measures(Seed001Village, subject: "**村党支部");
        var plan = await village.GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = Seed001Village, CampaignYear = 2022 } });
        Assert.Equal(categories, plan.Problems.Select(p => p.CategoryCode));
        Assert.Equal(seed.Select(p => p.Problem), plan.Problems.Select(p => p.Description));
        for (var i = 0; i < seed.Count; i++)
        {
            Assert.Equal(seed[i].Measures, plan.Problems[i].Measures.Select(m => m.Description));
            Assert.All(plan.Problems[i].Measures, m =>
            {
                Assert.Equal(seed[i].Persons, m.ResponsiblePersons);
                Assert.True(m.Deadline.TryToDateOnly(out var deadline));
                Assert.Equal(seed[i].Deadline, deadline);
                Assert.True(m.Ongoing); // every deadline of seed 001 is 「…前及长期坚持」
            });
        }
        Assert.Equal(["集中整顿", "自查评估", "巩固提高"], plan.Phases.Select(p => p.Name));
        var ledger = await village.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = Seed001Village, CampaignYear = 2022, Page = new PageRequest { PageSize = 100 } });
        Assert.Equal(23, ledger.TotalSize);
        // The same events as CreatePlan: one PlanCreated and a MeasureCreated for each measure.
        Assert.Single(await Outbox(host, "PlanCreated"));
        Assert.Equal(23, (await Outbox(host, "MeasureCreated")).Count);

        var written = await Snapshot(host);
        var again = await ImportAsync(township, Seed001Township, 2022, file, dryRun: false);
        Assert.Equal((false, 27, 0, 0, 27), (again.Applied, again.Rows, again.Added, again.Changed, again.Unchanged));
        Assert.Equal(written, await Snapshot(host));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Every_bad_row_is_placed_by_sheet_row_and_column_and_nothing_is_written(DbProvider provider)
    {
        await using var host = await MeasuresFixture.StartAsync(provider);
        var township = host.Measures(TownshipA);
        var names = await CategoryNamesAsync(township, TownshipA);
        var template = await TemplateAsync(township, TownshipA, Year);
        var file = WorkbookFiles.Fill(template,
            ("问题清单", new object?[][]
            {
                [TargetA1, 1, names["COLLECTIVE_ECONOMY"], "集体经济薄弱"],        // row 2: good
                ["360731101299", 1, names["COLLECTIVE_ECONOMY"], "不存在的村"],     // row 3: no such target in the township
                [TargetB1, 1, names["COLLECTIVE_ECONOMY"], "别的乡镇的村"],        // row 4: outside the township
                [TargetA1, 2, "不存在的类别", "类别不在下拉列表中"],                  // row 5: category not offered
                [TargetA1, 3, names["WEAK_LEADERSHIP"], null],                      // row 6: required text empty
            }),
            ("整改措施", new object?[][]
            {
                [TargetA1, 1, 1, "入股合作社发展产业", "刘文华、陈建国", new DateOnly(2027, 9, 30), "是"], // row 2: good
                [TargetA1, 9, 1, "没有这个问题", "刘文华", new DateOnly(2027, 9, 30), "否"],            // row 3: 问题序号 not in 问题清单
                [TargetA1, 1, 2, "日期写成文字", "刘文华", "2027年12月前及长期坚持", "否"],              // row 4: deadline as text
            }));

        var before = await Snapshot(host);
        var dry = await ImportAsync(township, TownshipA, Year, file, dryRun: true);
        Assert.Equal(["整改措施!B3", "整改措施!F4", "问题清单!A3", "问题清单!A4", "问题清单!C5", "问题清单!D6"], dry.Places().Order(StringComparer.Ordinal));
        var reasons = dry.Problems.ToDictionary(p => $"{p.Sheet}!{p.Cell}", p => p.Reason);
        Assert.Contains("不是", reasons["问题清单!A3"]);
        Assert.Contains("整顿对象", reasons["问题清单!A3"]);
        Assert.Contains("不在", reasons["问题清单!A4"]);
        Assert.Contains("不在下拉列表中", reasons["问题清单!C5"]);
        Assert.Contains("必填", reasons["问题清单!D6"]);
        Assert.Contains("长期坚持", reasons["整改措施!F4"]);
        Assert.Contains("「问题清单」中没有", reasons["整改措施!B3"]);
        Assert.Equal(8, dry.Rows);
        Assert.StartsWith("共8行，发现6处问题", dry.Summary);

        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => ImportAsync(township, TownshipA, Year, file, dryRun: false));
        Assert.Contains("整改措施!F4", refused.Fields());
        Assert.Equal(before, await Snapshot(host));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Nine_good_rows_and_one_bad_write_none_then_the_corrected_file_writes_all_and_adds_to_the_plan_later(DbProvider provider)
    {
        await using var host = await MeasuresFixture.StartAsync(provider);
        var township = host.Measures(TownshipA);
        var names = await CategoryNamesAsync(township, TownshipA);
        var template = await TemplateAsync(township, TownshipA, Year);
        object?[][] problemRows = [[TargetA2, 1, names["COLLECTIVE_ECONOMY"], "集体经济薄弱"]];
        object?[] Measure(int n, DateOnly deadline, string ongoing = "否") => [TargetA2, 1, n, $"措施{n}", "刘文华", deadline, ongoing];
        var measures = Enumerable.Range(1, 8).Select(n => Measure(n, new DateOnly(2027, 6, 30))).ToList();
        // Row 10 runs past the campaign's end without 长期坚持: the whole file is refused.
        var bad = WorkbookFiles.Fill(template, ("问题清单", problemRows), ("整改措施", [.. measures, Measure(9, new DateOnly(2028, 3, 31))]));

        var before = await Snapshot(host);
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => ImportAsync(township, TownshipA, Year, bad, dryRun: false));
        Assert.Equal(["整改措施!F10"], refused.Fields());
        Assert.Equal(before, await Snapshot(host));

        var good = WorkbookFiles.Fill(template, ("问题清单", problemRows), ("整改措施", [.. measures, Measure(9, new DateOnly(2028, 3, 31), "是")]));
        var done = await ImportAsync(township, TownshipA, Year, good, dryRun: false);
        Assert.Equal((10, 10, 0), (done.Rows, done.Added, done.Unchanged));

        // Later: a tenth measure is added (AddMeasure's path); a changed text of an existing one is refused, never overwritten.
        var more = WorkbookFiles.Fill(template, ("问题清单", problemRows), ("整改措施", [.. measures, Measure(9, new DateOnly(2028, 3, 31), "是"), Measure(10, new DateOnly(2027, 7, 31))]));
        var added = await ImportAsync(township, TownshipA, Year, more, dryRun: false);
        Assert.Equal((11, 1, 10), (added.Rows, added.Added, added.Unchanged));
        var plan = await township.GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = TargetA2, CampaignYear = Year } });
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"措施{n}"), plan.Problems.Single().Measures.Select(m => m.Description));

        var changedRows = measures.Select(r => (object?[])r.Clone()).ToList();
        changedRows[2][3] = "措施3（改过）";
        var changed = WorkbookFiles.Fill(template, ("问题清单", problemRows), ("整改措施", changedRows));
        var report = await ImportAsync(township, TownshipA, Year, changed, dryRun: true);
        Assert.Equal(["整改措施!D4"], report.Places());
        Assert.Equal("已有措施不能通过导入修改，请在页面上修改。", report.Problems.Single().Reason);
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    public async Task The_template_offers_the_countys_categories_and_refuses_another_kind(DbProvider provider)
    {
        await using var host = await MeasuresFixture.StartAsync(provider);
        var township = host.Measures(TownshipA);
        var names = await CategoryNamesAsync(township, TownshipA);
        var template = await TemplateAsync(township, TownshipA, Year);
        using var workbook = new XLWorkbook(new MemoryStream(template));
        Assert.Equal(["填写说明", "选项", "问题清单", "整改措施"], workbook.Worksheets.Select(w => w.Name));
        Assert.Equal(["村代码", "问题序号", "问题类别", "问题表现"], Enumerable.Range(1, 4).Select(c => workbook.Worksheet("问题清单").Cell(1, c).GetString()));
        var offered = workbook.Worksheet("选项").Column(1).CellsUsed().Select(c => c.GetString()).ToList();
        Assert.Equal(names.Values.ToList(), offered.Where(names.ContainsValue).ToList());
        Assert.Equal(names.Count, offered.Count(names.ContainsValue));

        var wrongKind = await Rpc.Refused(StatusCode.InvalidArgument, () => WorkbookFiles.DownloadAsync(
            township.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Units, ScopeCode = TownshipA })));
        Assert.Equal(["kind"], wrongKind.Fields());
    }
}
