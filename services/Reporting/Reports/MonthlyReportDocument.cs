using System.Globalization;
using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Documents.Word;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>
/// A township's 月报 as a Word document: its status and submission, 一、本月工作情况 and 二、存在问题 village by village,
/// 三、下月工作计划, 四、主要指标 (a table with the township's totals) and 五、整改台账情况 (the ledger counts the service took
/// at submission). Read from the report as GetReport gives it: the latest revision, under the same read rule.
/// </summary>
public sealed class MonthlyReportDocument(ReportService reports, TimeProvider clock)
{
    public static readonly string[] IndicatorHeaders = ["村（社区）", "三会一课", "培训", "发展党员", "为民办实事", "调解纠纷", "集体经济收入（元）"];
    public static readonly string[] LedgerHeaders = ["村（社区）", "整改措施", "已完成", "已销号", "逾期"];

    public async Task ExportAsync(Caller caller, ExportMonthlyReportRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var v = new Violations();
        var township = v.Code("township_code", request.TownshipCode);
        var month = Month.From(v, "period", request.Period);
        if (township is { } code) v.Check(code.Level == OrgLevel.Township, "township_code", "must be a township's code");
        v.ThrowIfAny();
        caller.EnsureCanRead(township!.Value);

        Report report;
        try
        {
            report = await reports.GetAsync(caller, new GetReportRequest { UnitCode = township.Value.Value, Period = month!.Value.ToProto() }, ct);
        }
        catch (NotFoundException)
        {
            throw new PreconditionFailedException("NO_REPORT", township.Value.Value,
                $"{township.Value.Value} 没有{ChineseDates.Month(month!.Value.Year, month.Value.Number)}的月报（尚未保存或报送），无法导出。");
        }
        var fileName = FileChunks.Name(report.UnitName, $"{month.Value.Year}年{month.Value.Number}月整顿工作月报", clock.Today(), "docx");
        await FileChunks.SendBuiltAsync(stream => Write(stream, report), fileName, FileChunks.Docx, write, ct);
    }

    public static string StatusName(ReportStatus status) => status switch
    {
        ReportStatus.Draft => "草稿（未报送）",
        ReportStatus.Submitted => "已报送，待县委组织部审核",
        ReportStatus.Accepted => "已审核通过",
        ReportStatus.Returned => "已退回",
        _ => "",
    };

    public static string TimelinessName(Timeliness timeliness) => timeliness switch
    {
        Timeliness.OnTime => "按时报送",
        Timeliness.Late => "逾期报送",
        Timeliness.Pending => "未到报送期限",
        Timeliness.Missing => "逾期未报",
        _ => "",
    };

    internal static void Write(Stream stream, Report report)
    {
        var period = ChineseDates.Month(report.Period.Year, report.Period.Month);
        var title = $"{report.UnitName}{period}软弱涣散村党组织整顿工作月报";
        using var document = OfficialDocument.Create(stream, title, $"中共{report.UnitName}委员会");
        document.Title(title);
        document.Subtitle($"状态：{StatusName(report.Status)}（第{report.Revision}次报送）");
        var submitted = report.SubmittedOn is { Year: > 0 } ? $"报送日期：{ChineseDates.Day(report.SubmittedOn)}" : "";
        var timeliness = TimelinessName(report.Timeliness) is { Length: > 0 } t ? $"报送时效：{t}" : "";
        if (submitted.Length + timeliness.Length > 0) document.Subtitle(string.Join("　", new[] { submitted, timeliness }.Where(x => x.Length > 0)));
        if (report.Status == ReportStatus.Returned && report.ReturnReason.Length > 0) document.Subtitle($"退回原因：{report.ReturnReason}");
        document.Blank();
        var ledger = report.LedgerTotals ?? new LedgerSnapshot();
        document.Paragraph($"{period}，{report.UnitName}共有{report.Villages.Count}个软弱涣散村党组织报送整顿工作情况，整改措施{ledger.Total}项，"
            + $"已完成{ledger.Completed}项、已销号{ledger.Closed}项、逾期{ledger.Overdue}项。现将有关情况报告如下：");

        document.Heading("一、本月工作情况");
        for (var i = 0; i < report.Villages.Count; i++)
        {
            document.SubHeading($"（{ChineseDates.Numeral(i + 1)}）{report.Villages[i].VillageName}");
            document.Paragraph(Or(report.Villages[i].WorkDone));
        }
        document.Heading("二、存在问题");
        foreach (var village in report.Villages.Where(v => v.ProblemsMet.Length > 0))
            document.LabelledParagraph($"{village.VillageName}：", village.ProblemsMet);
        if (report.Villages.All(v => v.ProblemsMet.Length == 0)) document.Paragraph("本月各村未报告需协调解决的问题。");

        document.Heading("三、下月工作计划");
        foreach (var village in report.Villages)
            document.LabelledParagraph($"{village.VillageName}：", Or(village.NextMonthPlan));

        document.Heading("四、主要指标");
        var totals = report.Totals ?? new Indicators();
        document.Table(IndicatorHeaders,
            [.. report.Villages.Select(v => Indicators(v.VillageName, v.Indicators ?? new Indicators())), Indicators("合计", totals)],
            [16, 13, 9, 12, 13, 12, 19]);

        document.Heading("五、整改台账情况");
        document.Paragraph("以下为报送时整改台账的情况（由系统按台账自动生成）：");
        document.Table(LedgerHeaders,
            [.. report.Villages.Select(v => Ledger(v.VillageName, v.Ledger ?? new LedgerSnapshot())), Ledger("合计", ledger)],
            [24, 12, 12, 12, 12]);

        document.Blank();
        document.Signature($"中共{report.UnitName}委员会");
        if (report.SubmittedOn is { Year: > 0 }) document.Signature(ChineseDates.Day(report.SubmittedOn));
    }

    private static IReadOnlyList<string> Indicators(string name, Indicators i) =>
        [name, N(i.MeetingsHeld), N(i.Trainings), N(i.MembersDeveloped), N(i.ServicesForPeople), N(i.DisputesMediated), i.CollectiveIncomeToDateYuan.ToString("N0", CultureInfo.InvariantCulture)];

    private static IReadOnlyList<string> Ledger(string name, LedgerSnapshot l) => [name, N(l.Total), N(l.Completed), N(l.Closed), N(l.Overdue)];

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Or(string text) => text.Length > 0 ? text : "（未填写）";
}
