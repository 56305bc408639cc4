using System.Globalization;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Documents.Word;
using Rectify.Gateway.ReadModel;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Reporting.V1;

namespace Rectify.Gateway.Documents;

/// <summary>
/// The county's monthly 通报 to the city as a Word document: 一、总体进展 and 三、整改进度排名 from the read model (the same
/// figures as the dashboard), 二、各乡镇报送情况 and 四、逾期未完成措施 read from the reporting and measures services with
/// the caller's own token (as the dashboard reads them), 五、验收情况, 六、下步工作. The ranking puts the best first, as a
/// 通报 names the leaders before the laggards; ties by closed measures, then by code.
/// </summary>
public sealed class Bulletin(ProgressModel model, MeasureService.MeasureServiceClient measures, ReportingService.ReportingServiceClient reporting, TimeProvider clock)
{
    /// <summary>At most this many overdue measures are listed, the longest overdue first; the count says how many there are.</summary>
    public const int OverdueListed = 500;

    public static readonly string[] ReportHeaders = ["序号", "乡镇", "是否报送", "报送时效", "审核情况"];
    public static readonly string[] RankingHeaders = ["名次", "乡镇", "整顿村数", "整改措施", "已完成", "已销号", "逾期", "完成率"];
    public static readonly string[] OverdueHeaders = ["序号", "乡镇", "村", "整改措施", "责任人", "完成时限", "逾期天数"];

    public async Task ExportAsync(Caller caller, ExportBulletinRequest request, string authorization, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var today = clock.Today();
        var v = new Violations();
        var county = v.Code("county_code", request.CountyCode);
        var month = Month.From(v, "period", request.Period);
        if (county is { } c) v.Check(c.Level == OrgLevel.County, "county_code", "must be a county's code");
        if (month is { } m) v.Check(m <= Month.Of(today), "period", $"{m} is in the future");
        v.ThrowIfAny();
        caller.EnsureCanRead(county!.Value);

        var progress = model.Progress(county.Value, month!.Value, today);
        var headers = new Metadata { { "Authorization", authorization } };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        var listTask = reporting.ListReportsAsync(new ListReportsRequest { ScopeCode = county.Value.Value, Period = month.Value.ToProto() }, headers, deadline, ct).ResponseAsync;
        var overdueTask = measures.ListMeasuresAsync(new ListMeasuresRequest
        {
            ScopeCode = county.Value.Value, OverdueOnly = true, CampaignYear = month.Value.Year, Sort = MeasureSort.Deadline,
            Page = new PageRequest { PageSize = OverdueListed },
        }, headers, deadline, ct).ResponseAsync;
        var (list, overdue) = (await listTask, await overdueTask);

        var unitName = progress.UnitName.Length > 0 ? progress.UnitName : county.Value.Value;
        var fileName = FileChunks.Name(unitName, $"{month.Value.Year}年{month.Value.Number}月整顿工作通报", today, "docx");
        await FileChunks.SendBuiltAsync(stream => Write(stream, unitName, progress, list, overdue, today), fileName, FileChunks.Docx, write, ct);
    }

    /// <summary>The townships best first: by completion rate, then closed measures, then code.</summary>
    public static IReadOnlyList<ChildProgress> Ranked(Progress progress) =>
        [.. progress.Children.OrderByDescending(c => c.Measures?.CompletionRate ?? 0).ThenByDescending(c => c.Measures?.Closed ?? 0).ThenBy(c => c.UnitCode, StringComparer.Ordinal)];

    public static string Submitted(ExpectedReport report) => report.Status is ReportStatus.Unspecified or ReportStatus.Draft ? "未报送" : "已报送";

    public static string Review(ExpectedReport report) => report.Status switch
    {
        ReportStatus.Submitted => "待审核",
        ReportStatus.Accepted => "审核通过",
        ReportStatus.Returned => "退回修改",
        ReportStatus.Draft => "草稿未报送",
        _ => "—",
    } + (report.ExceptionGranted ? "（已准予补报）" : "");

    internal static void Write(Stream stream, string county, Progress progress, ListReportsResponse list, ListMeasuresResponse overdue, DateOnly today)
    {
        var period = ChineseDates.Month(progress.Period.Year, progress.Period.Month);
        var title = $"关于{period}{county}软弱涣散村党组织整顿工作进展情况的通报";
        using var document = OfficialDocument.Create(stream, title, $"中共{county}委组织部");
        document.Title(title);
        document.Paragraph($"市委组织部：现将{period}{county}软弱涣散村党组织整顿工作进展情况通报如下（数据截至{ChineseDates.Day(progress.AsOf)}）：");

        var targets = progress.Targets ?? new V1.TargetCounts();
        var counts = progress.Measures ?? new MeasureCounts();
        var reports = progress.Reports ?? new ReportCounts();
        document.Heading("一、总体进展");
        document.Paragraph($"全县共有整顿对象{targets.Total}个，其中正在整顿{targets.Designated}个、已转化{targets.Transformed}个、回炉整顿{targets.Reopened}个。"
            + $"共制定整改措施{counts.Total}项，已完成待销号{counts.Completed}项，已销号{counts.Closed}项，逾期未完成{counts.Overdue}项，完成率{Percent(counts.CompletionRate)}。");
        document.Paragraph($"本月应报送月报的乡镇{reports.Expected}个，已报送{reports.Received}个（按时{reports.OnTime}个、逾期{reports.Late}个），"
            + $"逾期未报{reports.Missing}个，审核通过{reports.Accepted}个。");

        document.Heading("二、各乡镇报送情况");
        document.Table(ReportHeaders,
            [.. list.Reports.Select((r, i) => (IReadOnlyList<string>)[N(i + 1), r.UnitName, Submitted(r), MonthlyTimeliness(r.Timeliness), Review(r)])],
            [6, 18, 12, 14, 18]);
        var missing = list.Reports.Where(r => r.Timeliness == Timeliness.Missing).Select(r => r.UnitName).ToList();
        var returned = list.Reports.Where(r => r.Status == ReportStatus.Returned).Select(r => r.UnitName).ToList();
        if (missing.Count > 0) document.Paragraph($"{string.Join("、", missing)}逾期未报送月报，请抓紧补报。");
        if (returned.Count > 0) document.Paragraph($"{string.Join("、", returned)}的月报被退回修改，请按要求修改后重新报送。");

        document.Heading("三、整改进度排名");
        document.Paragraph("按整改措施完成率（已完成与已销号之和占措施总数的比例）由高到低排名，完成率相同的按已销号数排列：");
        var ranked = Ranked(progress);
        document.Table(RankingHeaders,
            [.. ranked.Select((c, i) => (IReadOnlyList<string>)[N(i + 1), c.UnitName, N(c.Targets?.Total ?? 0), N(c.Measures?.Total ?? 0),
                N(c.Measures?.Completed ?? 0), N(c.Measures?.Closed ?? 0), N(c.Measures?.Overdue ?? 0), Percent(c.Measures?.CompletionRate ?? 0)])],
            [6, 16, 10, 10, 9, 9, 8, 10]);

        document.Heading("四、逾期未完成措施");
        if (overdue.Measures.Count == 0) document.Paragraph($"截至{ChineseDates.Day(today)}，全县没有逾期未完成的整改措施。");
        else
        {
            var more = overdue.TotalSize > overdue.Measures.Count ? $"，以下列出逾期最久的{overdue.Measures.Count}项" : "";
            document.Paragraph($"截至{ChineseDates.Day(today)}，全县逾期未完成的整改措施共{Math.Max(overdue.TotalSize, overdue.Measures.Count)}项{more}（按逾期时间由长到短排列）：");
            document.Table(OverdueHeaders,
                [.. overdue.Measures.Select((m, i) => (IReadOnlyList<string>)[N(i + 1), m.TownshipName, m.VillageName, m.Description,
                    string.Join("、", m.ResponsiblePersons), ChineseDates.Day(m.Deadline), N(m.DaysOverdue)])],
                [7, 10, 10, 29, 10, 18, 9]);
        }

        document.Heading("五、验收情况");
        document.Paragraph(targets.Transformed > 0
            ? $"截至本月，全县已有{targets.Transformed}个整顿对象通过验收、实现转化，{targets.Reopened}个回炉整顿。"
            : $"截至本月，全县尚无整顿对象通过验收{(targets.Reopened > 0 ? $"，{targets.Reopened}个回炉整顿" : "")}。");

        document.Heading("六、下步工作");
        document.SubHeading("（一）抓好月报报送。");
        document.Paragraph("各乡镇要按时报送整顿工作月报，逾期未报和被退回的乡镇要立即补报、修改。");
        document.SubHeading("（二）加快逾期措施整改。");
        document.Paragraph("对逾期未完成的整改措施，乡镇党委要逐项督办，明确新的完成时限，完成一项、销号一项。");
        document.SubHeading("（三）做好验收准备。");
        document.Paragraph("对整改措施基本完成的村，乡镇党委要组织自查评估，及时提请县委组织部验收，确保按期转化。");

        document.Blank();
        document.Signature($"中共{county}委组织部");
        document.Signature(ChineseDates.Day(today));
    }

    public static string MonthlyTimeliness(Timeliness timeliness) => timeliness switch
    {
        Timeliness.OnTime => "按时",
        Timeliness.Late => "逾期报送",
        Timeliness.Missing => "逾期未报",
        Timeliness.Pending => "未到期限",
        _ => "—",
    };

    public static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
