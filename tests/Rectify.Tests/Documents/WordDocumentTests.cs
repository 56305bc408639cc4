using System.Net;
using System.Net.Http.Headers;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Documents.Word;
using Rectify.Gateway.Documents;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Measures.Plans;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Demo;
using Rectify.Reporting.Reports;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;
using Rectify.Tests.Web;
using Role = Rectify.Kernel.Role;

namespace Rectify.Tests.Documents;

/// <summary>
/// The three Word documents exported from the demo county (于都县) over real gRPC, opened again with the Open XML SDK and
/// checked paragraph by paragraph and row by row against what the services answer. Only reads: the shared demo suite
/// is left as it was.
/// </summary>
[Collection("web")]
public sealed class WordDocumentTests(DemoSuite suite)
{
    private const string County = "360731000000", Xinbei = "360731203000", Gongjiang = "360731100000";
    private static readonly string[] PlanHeadings = ["一、基本情况", "二、存在的主要问题", "三、整顿目标", "四、整改措施", "五、时间安排", "六、保障措施"];
    private static readonly string[] BulletinHeadings = ["一、总体进展", "二、各乡镇报送情况", "三、整改进度排名", "四、逾期未完成措施", "五、验收情况", "六、下步工作"];
    private static readonly string[] ReportHeadings = ["一、本月工作情况", "二、存在问题", "三、下月工作计划", "四、主要指标", "五、整改台账情况"];

    private CancellationToken Ct => TestContext.Current.CancellationToken;
    private DateOnly Today => suite.Host.Clock.Today();
    private int Year => DemoClock.CampaignYear(Today);
    /// <summary>The last month that is over: its reports are in.</summary>
    private Month LastMonth => Month.Of(Today).Previous;

    [Fact]
    public async Task The_plan_document_is_the_targets_plan_section_by_section_in_the_house_style()
    {
        var measures = new MeasureService.MeasureServiceClient(suite.Host.As(County, Role.Viewer));
        var village = (await measures.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, CampaignYear = Year }, cancellationToken: Ct)).Measures[0].VillageCode;
        var plan = await measures.GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = village, CampaignYear = Year } }, cancellationToken: Ct);

        var (name, bytes) = await DrainAsync(measures.ExportPlanDocument(new ExportPlanDocumentRequest { VillageCode = village, CampaignYear = Year }, cancellationToken: Ct));
        Assert.EndsWith(".docx", name);
        Assert.Contains(plan.VillageName, name);
        using var word = Open(bytes);
        var paragraphs = BodyParagraphs(word);
        var title = $"{plan.VillageName}党支部整顿方案";
        Assert.Equal(title, paragraphs[0].Text);
        Assert.Equal(OfficialDocument.TitleFont, paragraphs[0].EastAsia);
        Assert.Equal(title, word.PackageProperties.Title);
        Assert.Contains(plan.VillageName, word.PackageProperties.Creator);
        Assert.Equal(PlanHeadings, paragraphs.Where(p => p.EastAsia == OfficialDocument.HeadingFont).Select(p => p.Text));

        // Each problem in order, then its measures in order, then its persons and the latest deadline.
        var texts = paragraphs.Select(p => p.Text).ToList();
        var at = texts.IndexOf("四、整改措施");
        for (var i = 0; i < plan.Problems.Count; i++)
        {
            var problem = plan.Problems[i];
            at = texts.IndexOf($"问题{ChineseDates.Numeral(i + 1)}：{problem.Description}", at + 1);
            Assert.True(at > 0, $"问题{i + 1} missing or out of order");
            Assert.Equal(OfficialDocument.SubHeadingFont, paragraphs[at].EastAsia);
            for (var j = 0; j < problem.Measures.Count; j++)
            {
                Assert.Equal($"{j + 1}.{problem.Measures[j].Description}", texts[at + 1 + j]);
                Assert.Equal(OfficialDocument.BodyFont, paragraphs[at + 1 + j].EastAsia);
            }
            Assert.Equal("整改责任人：" + string.Join("、", problem.Measures.SelectMany(m => m.ResponsiblePersons).Distinct()), texts[at + 1 + problem.Measures.Count]);
            Assert.StartsWith("完成时限：", texts[at + 2 + problem.Measures.Count]);
        }
        // The table: one row per measure with its persons and deadline, 「…前及长期坚持」 where it goes on.
        var rows = Rows(word, 0);
        Assert.Equal(["序号", "存在问题", "整改措施", "整改责任人", "完成时限"], rows[0]);
        var expected = plan.Problems.SelectMany(p => p.Measures).ToList();
        Assert.Equal(expected.Count, rows.Count - 1);
        for (var k = 0; k < expected.Count; k++)
        {
            Assert.Equal(expected[k].Description, rows[k + 1][2]);
            Assert.Equal(string.Join("、", expected[k].ResponsiblePersons), rows[k + 1][3]);
            Assert.Equal(PlanDocument.Deadline(expected[k]), rows[k + 1][4]);
            Assert.Equal(expected[k].Ongoing, rows[k + 1][4].EndsWith("前及长期坚持", StringComparison.Ordinal));
        }
        foreach (var (phase, i) in plan.Phases.Select((p, i) => (p, i)))
            Assert.Contains(texts, t => t.StartsWith($"{i + 1}.{phase.Name}（", StringComparison.Ordinal) && t.EndsWith($"至{ChineseDates.Day(phase.EndsOn)}）", StringComparison.Ordinal));
        AssertPageSetup(word);

        var render = await Office.RenderAsync("plan.docx", bytes);
        Assert.NotEmpty(render.Pages);
    }

    [Fact]
    public async Task The_monthly_report_document_carries_the_reports_status_indicators_and_ledger_counts()
    {
        var reporting = new ReportingService.ReportingServiceClient(suite.Host.As(County, Role.Viewer));
        var list = await reporting.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = LastMonth.ToProto() }, cancellationToken: Ct);
        var township = list.Reports.First(r => r.Status is ReportStatus.Accepted or ReportStatus.Submitted).UnitCode;
        var report = await reporting.GetReportAsync(new GetReportRequest { UnitCode = township, Period = LastMonth.ToProto() }, cancellationToken: Ct);

        var (name, bytes) = await DrainAsync(reporting.ExportMonthlyReport(new ExportMonthlyReportRequest { TownshipCode = township, Period = LastMonth.ToProto() }, cancellationToken: Ct));
        Assert.StartsWith(report.UnitName, name);
        using var word = Open(bytes);
        var paragraphs = BodyParagraphs(word);
        Assert.Equal($"{report.UnitName}{LastMonth.Year}年{LastMonth.Number}月软弱涣散村党组织整顿工作月报", paragraphs[0].Text);
        Assert.Equal(OfficialDocument.TitleFont, paragraphs[0].EastAsia);
        Assert.Equal($"状态：{MonthlyReportDocument.StatusName(report.Status)}（第{report.Revision}次报送）", paragraphs[1].Text);
        Assert.Equal($"报送日期：{ChineseDates.Day(report.SubmittedOn)}　报送时效：{MonthlyReportDocument.TimelinessName(report.Timeliness)}", paragraphs[2].Text);
        Assert.Equal(ReportHeadings, paragraphs.Where(p => p.EastAsia == OfficialDocument.HeadingFont).Select(p => p.Text));
        var texts = paragraphs.Select(p => p.Text).ToList();
        foreach (var village in report.Villages)
        {
            Assert.Contains(village.WorkDone, texts);
            Assert.Contains($"{village.VillageName}：{village.NextMonthPlan}", texts);
        }

        var indicators = Rows(word, 0);
        Assert.Equal(MonthlyReportDocument.IndicatorHeaders, indicators[0]);
        Assert.Equal(report.Villages.Count + 2, indicators.Count);
        Assert.Equal(["合计", $"{report.Totals.MeetingsHeld}", $"{report.Totals.Trainings}", $"{report.Totals.MembersDeveloped}", $"{report.Totals.ServicesForPeople}",
            $"{report.Totals.DisputesMediated}", report.Totals.CollectiveIncomeToDateYuan.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)], indicators[^1]);
        var ledger = Rows(word, 1);
        Assert.Equal(MonthlyReportDocument.LedgerHeaders, ledger[0]);
        for (var i = 0; i < report.Villages.Count; i++)
        {
            var v = report.Villages[i];
            Assert.Equal([v.VillageName, $"{v.Ledger.Total}", $"{v.Ledger.Completed}", $"{v.Ledger.Closed}", $"{v.Ledger.Overdue}"], ledger[i + 1]);
        }
        var t = report.LedgerTotals;
        Assert.Equal(["合计", $"{t.Total}", $"{t.Completed}", $"{t.Closed}", $"{t.Overdue}"], ledger[^1]);
        AssertPageSetup(word);

        var render = await Office.RenderAsync("monthly-report.docx", bytes);
        Assert.NotEmpty(render.Pages);
    }

    [Fact]
    public async Task The_bulletin_tables_equal_the_reports_states_the_ranking_and_the_overdue_measures_oldest_first()
    {
        var invoker = suite.Host.As(County, Role.Viewer);
        var period = LastMonth.ToProto();
        var list = await new ReportingService.ReportingServiceClient(invoker).ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = period }, cancellationToken: Ct);
        var gateway = new ProgressService.ProgressServiceClient(invoker);
        var progress = await gateway.GetProgressAsync(new GetProgressRequest { UnitCode = County, Period = period }, cancellationToken: Ct);
        var overdue = await new MeasureService.MeasureServiceClient(invoker).ListMeasuresAsync(new ListMeasuresRequest
        {
            ScopeCode = County, OverdueOnly = true, CampaignYear = LastMonth.Year, Sort = MeasureSort.Deadline, Page = new PageRequest { PageSize = Bulletin.OverdueListed },
        }, cancellationToken: Ct);

        var (name, bytes) = await DrainAsync(gateway.ExportBulletin(new ExportBulletinRequest { CountyCode = County, Period = period }, cancellationToken: Ct));
        Assert.StartsWith("于都县", name);
        using var word = Open(bytes);
        var paragraphs = BodyParagraphs(word);
        Assert.Equal($"关于{LastMonth.Year}年{LastMonth.Number}月于都县软弱涣散村党组织整顿工作进展情况的通报", paragraphs[0].Text);
        Assert.Equal(BulletinHeadings, paragraphs.Where(p => p.EastAsia == OfficialDocument.HeadingFont).Select(p => p.Text));
        var m = progress.Measures;
        Assert.Contains(paragraphs, p => p.Text.Contains($"共制定整改措施{m.Total}项，已完成待销号{m.Completed}项，已销号{m.Closed}项，逾期未完成{m.Overdue}项", StringComparison.Ordinal));

        var reports = Rows(word, 0);
        Assert.Equal(Bulletin.ReportHeaders, reports[0]);
        Assert.Equal(list.Reports.Select((r, i) => new[] { $"{i + 1}", r.UnitName, Bulletin.Submitted(r), Bulletin.MonthlyTimeliness(r.Timeliness), Bulletin.Review(r) }),
            reports.Skip(1));
        Assert.Contains(list.Reports, r => r.Status == ReportStatus.Accepted);

        var ranking = Rows(word, 1);
        Assert.Equal(Bulletin.RankingHeaders, ranking[0]);
        Assert.Equal(progress.Children.Count, ranking.Count - 1);
        var rates = ranking.Skip(1).Select(r => double.Parse(r[7].TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(rates.OrderByDescending(r => r), rates);
        Assert.Equal(progress.Children.Sum(c => c.Measures.Total), ranking.Skip(1).Sum(r => int.Parse(r[3])));
        Assert.Equal(progress.Children.Sum(c => c.Measures.Closed), ranking.Skip(1).Sum(r => int.Parse(r[5])));

        if (overdue.Measures.Count > 0)
        {
            var listed = Rows(word, 2);
            Assert.Equal(Bulletin.OverdueHeaders, listed[0]);
            Assert.Equal(overdue.Measures.Select(x => x.Description), listed.Skip(1).Select(r => r[3]));
            var days = listed.Skip(1).Select(r => int.Parse(r[6])).ToList();
            Assert.Equal(days.OrderByDescending(d => d), days);
        }
        AssertPageSetup(word);

        // The same file over HTTP, with the person's token; another county's officer is refused as JSON.
        using var http = new HttpClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, $"{suite.Url}/v1/documents/bulletins/{County}/{LastMonth.Year}/{LastMonth.Number}");
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.Token(County, Role.Viewer));
        using var answer = await http.SendAsync(get, Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", answer.Content.Headers.ContentType?.MediaType);
        Assert.True((await answer.Content.ReadAsByteArrayAsync(Ct)).Length > 5000);
        using var denied = new HttpRequestMessage(HttpMethod.Get, $"{suite.Url}/v1/documents/bulletins/{County}/{LastMonth.Year}/{LastMonth.Number}");
        denied.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.Token("360732000000", Role.Reviewer));
        using var refusal = await http.SendAsync(denied, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refusal.StatusCode);

        var render = await Office.RenderAsync("bulletin.docx", bytes);
        Assert.NotEmpty(render.Pages);
    }

    [Fact]
    public async Task Exports_are_refused_outside_the_scope_and_without_a_report()
    {
        // 贡江镇's officer asks for a 新陂乡 village's plan: not in its subtree.
        var gongjiang = new MeasureService.MeasureServiceClient(suite.Host.As(Gongjiang, Role.Officer));
        var outside = await Assert.ThrowsAsync<RpcException>(() => DrainAsync(gongjiang.ExportPlanDocument(new ExportPlanDocumentRequest { VillageCode = "360731203201", CampaignYear = Year }, cancellationToken: Ct)));
        Assert.Equal(StatusCode.PermissionDenied, outside.StatusCode);

        // February is before the demo's campaign and no scenario reports it (the township and review pages' tests take March by 补报).
        var reporting = new ReportingService.ReportingServiceClient(suite.Host.As(County, Role.Viewer));
        var noReport = await Assert.ThrowsAsync<RpcException>(() => DrainAsync(reporting.ExportMonthlyReport(new ExportMonthlyReportRequest
            { TownshipCode = Xinbei, Period = new Period { Year = Year, Month = 2 } }, cancellationToken: Ct)));
        Assert.Equal(StatusCode.FailedPrecondition, noReport.StatusCode);
        Assert.Contains("没有", noReport.Status.Detail);
        var sibling = await Assert.ThrowsAsync<RpcException>(() => DrainAsync(new ReportingService.ReportingServiceClient(suite.Host.As(Gongjiang, Role.Officer))
            .ExportMonthlyReport(new ExportMonthlyReportRequest { TownshipCode = Xinbei, Period = LastMonth.ToProto() }, cancellationToken: Ct)));
        Assert.Equal(StatusCode.PermissionDenied, sibling.StatusCode);

        var bulletin = await Assert.ThrowsAsync<RpcException>(() => DrainAsync(new ProgressService.ProgressServiceClient(suite.Host.As(Xinbei, Role.Reviewer))
            .ExportBulletin(new ExportBulletinRequest { CountyCode = County, Period = LastMonth.ToProto() }, cancellationToken: Ct)));
        Assert.Equal(StatusCode.PermissionDenied, bulletin.StatusCode);
        var notCounty = await Assert.ThrowsAsync<RpcException>(() => DrainAsync(new ProgressService.ProgressServiceClient(suite.Host.As(County, Role.Viewer))
            .ExportBulletin(new ExportBulletinRequest { CountyCode = Xinbei, Period = LastMonth.ToProto() }, cancellationToken: Ct)));
        Assert.Equal(StatusCode.InvalidArgument, notCounty.StatusCode);
    }

    private sealed record Para(string Text, string? EastAsia);

    private static async Task<(string Name, byte[] Bytes)> DrainAsync(AsyncServerStreamingCall<FileChunk> call)
    {
        using var _ = call;
        using var buffer = new MemoryStream();
        var name = "";
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            if (name.Length == 0) { name = chunk.FileName; Assert.Equal(Rectify.Documents.FileChunks.Docx, chunk.ContentType); }
            chunk.Data.WriteTo(buffer);
        }
        return (name, buffer.ToArray());
    }

    private static WordprocessingDocument Open(byte[] bytes) => WordprocessingDocument.Open(new MemoryStream(bytes), false);

    /// <summary>The body's paragraphs outside tables, non-empty, with the East Asian font of their first run.</summary>
    private static List<Para> BodyParagraphs(WordprocessingDocument word) =>
        [.. word.MainDocumentPart!.Document.Body!.Elements<Paragraph>()
            .Select(p => new Para(string.Concat(p.Descendants<Text>().Select(t => t.Text)), p.Descendants<Run>().FirstOrDefault()?.RunProperties?.RunFonts?.EastAsia?.Value))
            .Where(p => p.Text.Length > 0)];

    private static List<string[]> Rows(WordprocessingDocument word, int table) =>
        [.. word.MainDocumentPart!.Document.Body!.Elements<Table>().ElementAt(table).Elements<TableRow>()
            .Select(r => r.Elements<TableCell>().Select(c => string.Concat(c.Descendants<Text>().Select(t => t.Text))).ToArray())];

    /// <summary>A4, the 公文 margins, a footer with a PAGE field between dashes, fonts declared with their fallbacks.</summary>
    private static void AssertPageSetup(WordprocessingDocument word)
    {
        var section = word.MainDocumentPart!.Document.Body!.GetFirstChild<SectionProperties>()!;
        var size = section.GetFirstChild<PageSize>()!;
        Assert.Equal((11906u, 16838u), (size.Width!.Value, size.Height!.Value));
        var margin = section.GetFirstChild<PageMargin>()!;
        Assert.Equal((2098, 1984, 1587u, 1474u), (margin.Top!.Value, margin.Bottom!.Value, margin.Left!.Value, margin.Right!.Value));
        var footer = word.MainDocumentPart.FooterParts.Single().Footer;
        Assert.Contains(footer.Descendants<FieldCode>(), f => f.Text.Trim() == "PAGE");
        Assert.StartsWith("— ", footer.InnerText);
        var fonts = word.MainDocumentPart.FontTablePart!.Fonts.Elements<Font>().ToDictionary(f => f.Name!.Value!, f => f.GetFirstChild<AltName>()?.Val?.Value);
        Assert.Equal("仿宋", fonts[OfficialDocument.BodyFont]);
        Assert.Equal("FangSong", fonts["仿宋"]);
        // Body runs name their font for Latin and Chinese text alike.
        var run = word.MainDocumentPart.Document.Body.Descendants<Run>().First(r => r.RunProperties?.RunFonts?.EastAsia?.Value == OfficialDocument.BodyFont);
        Assert.Equal(OfficialDocument.BodyFont, run.RunProperties!.RunFonts!.Ascii?.Value);
    }
}
