using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Documents.Word;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Plans;

/// <summary>
/// A target's 整顿方案 as a Word document, shaped like the plans villages file (seed 001): 一、基本情况, 二、存在的主要问题,
/// 三、整顿目标, 四、整改措施 (each problem with its measures, responsible persons and deadlines, then the same as a table),
/// 五、时间安排 (the plan's phases), 六、保障措施. Read from the plan as GetPlan gives it, so it says what the ledger says.
/// </summary>
public sealed class PlanDocument(PlanService plans, Database<MeasuresModule> database, TimeProvider clock)
{
    public async Task ExportAsync(Caller caller, ExportPlanDocumentRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        if (!OrgCode.TryParse(request.VillageCode, out var village, out var error)) throw ValidationException.For("village_code", error);
        if (village.Level != Common.V1.OrgLevel.Village) throw ValidationException.For("village_code", "must be a village's code");
        var year = request.CampaignYear == 0 ? clock.Today().Year : request.CampaignYear;
        if (year is < 2000 or > 2999) throw ValidationException.For("campaign_year", "must be a year between 2000 and 2999");
        caller.EnsureCanRead(village);

        var target = await database.ReadAsync(session => PlanService.FindTargetAsync(session, village.Value, year), ct)
            ?? throw new PreconditionFailedException("NOT_A_TARGET", village.Value, $"{village.Value} 不是{year}年度的整顿对象，没有整顿方案。");
        Plan plan;
        try
        {
            plan = await plans.GetPlanAsync(caller, new GetPlanRequest { VillageYear = new VillageYear { VillageCode = village.Value, CampaignYear = year } }, ct);
        }
        catch (NotFoundException)
        {
            throw new PreconditionFailedException("NO_PLAN", village.Value, $"{target.TownshipName}{target.VillageName}{year}年度的整顿方案尚未制定，请先制定方案再导出。");
        }

        var fileName = FileChunks.Name($"{target.VillageName}党支部", $"{year}年度整顿方案", clock.Today(), "docx");
        await FileChunks.SendBuiltAsync(stream => Write(stream, plan, target.TownshipName), fileName, FileChunks.Docx, write, ct);
    }

    /// <summary>The deadline as plans word it: 2026年10月31日前, and 「…前及长期坚持」 for what goes on after it.</summary>
    public static string Deadline(Measure measure) => $"{ChineseDates.Day(measure.Deadline)}前{(measure.Ongoing ? "及长期坚持" : "")}";

    internal static void Write(Stream stream, Plan plan, string townshipName)
    {
        var village = plan.VillageName;
        var title = $"{village}党支部整顿方案";
        using var document = OfficialDocument.Create(stream, title, $"中共{townshipName}{village}支部委员会");
        document.Title(title);
        var categories = plan.Problems.Select(p => p.CategoryName).Where(n => n.Length > 0).Distinct().ToList();
        document.Paragraph($"按照{plan.CampaignYear}年度软弱涣散基层党组织集中整顿工作要求和{townshipName}党委的部署，本村党支部被确定为{plan.CampaignYear}年度软弱涣散基层党组织"
            + (categories.Count > 0 ? $"（{string.Join("、", categories)}）" : "")
            + "。为扎实推动软弱涣散问题整改提升，进一步增强村党组织的组织力和凝聚力，特制定如下方案：");

        document.Heading("一、基本情况");
        foreach (var line in Lines(plan.BasicSituation)) document.Paragraph(line);

        document.Heading("二、存在的主要问题");
        document.Paragraph($"经支委会、党员大会评议和走访党员群众，{village}软弱涣散问题主要表现在以下{plan.Problems.Count}个方面：");
        for (var i = 0; i < plan.Problems.Count; i++)
            document.Paragraph($"{i + 1}.{plan.Problems[i].Description}" + (plan.Problems[i].CategoryName is { Length: > 0 } c ? $"（{c}）" : ""));

        document.Heading("三、整顿目标");
        if (plan.Goals.Count == 0) document.Paragraph("按期完成各项整改措施，通过验收，实现软弱涣散村党组织转化升级。");
        for (var i = 0; i < plan.Goals.Count; i++) document.Paragraph($"{i + 1}.{plan.Goals[i]}");

        document.Heading("四、整改措施");
        document.Paragraph($"针对{village}党支部存在的问题，结合村情实际，制定以下整改措施：");
        for (var i = 0; i < plan.Problems.Count; i++)
        {
            var problem = plan.Problems[i];
            document.SubHeading($"问题{ChineseDates.Numeral(i + 1)}：{problem.Description}");
            for (var j = 0; j < problem.Measures.Count; j++) document.Paragraph($"{j + 1}.{problem.Measures[j].Description}");
            var persons = problem.Measures.SelectMany(m => m.ResponsiblePersons).Distinct().ToList();
            document.LabelledParagraph("整改责任人：", string.Join("、", persons));
            var last = problem.Measures.MaxBy(m => (m.Deadline.Year, m.Deadline.Month, m.Deadline.Day));
            if (last is not null)
                document.LabelledParagraph("完成时限：", $"{ChineseDates.Day(last.Deadline)}前{(problem.Measures.Any(m => m.Ongoing) ? "及长期坚持" : "")}");
        }
        document.SubHeading("整改任务清单");
        var rows = plan.Problems.SelectMany((problem, i) => problem.Measures.Select((m, j) => (IReadOnlyList<string>)
            [$"{i + 1}.{j + 1}", j == 0 ? problem.Description : "", m.Description, string.Join("、", m.ResponsiblePersons), Deadline(m)]));
        document.Table(["序号", "存在问题", "整改措施", "整改责任人", "完成时限"], rows.ToList(), [7, 15, 27, 13, 16]);

        document.Heading("五、时间安排");
        var from = plan.StartsOn;
        for (var i = 0; i < plan.Phases.Count; i++)
        {
            var phase = plan.Phases[i];
            document.Paragraph($"{i + 1}.{phase.Name}（{ChineseDates.Day(from)}至{ChineseDates.Day(phase.EndsOn)}）");
            var next = new DateOnly(phase.EndsOn.Year, phase.EndsOn.Month, phase.EndsOn.Day).AddDays(1);
            from = next.ToProto();
        }
        document.Paragraph($"整顿工作于{ChineseDates.Day(plan.CampaignEndsOn)}前全面完成，接受{townshipName}党委验收。");

        document.Heading("六、保障措施");
        document.SubHeading("（一）成立机构，加强领导。");
        document.Paragraph($"成立由村党支部书记任组长的{village}软弱涣散党组织整顿工作领导小组，全面负责整顿工作的组织实施，确保各项措施落实到位。");
        document.SubHeading("（二）建立台账，务求实效。");
        document.Paragraph("建立整顿工作台账，将各项整改措施落实到人、明确时限，完成一项、销号一项，做到问题不解决不放过、群众不满意不销号。");
        document.SubHeading("（三）严明责任，注重长效。");
        document.Paragraph("严格落实党支部书记第一责任人责任，每月至少专题研究一次整顿工作，按月向乡镇党委报告进展，把整顿工作与日常工作结合起来，建立长效机制。");

        document.Blank();
        document.Signature($"中共{townshipName}{village}支部委员会");
        document.Signature(ChineseDates.Day(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(plan.CreatedAt.ToDateTimeOffset(), ShanghaiTime.Zone).DateTime)));
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Replace("\r\n", "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } lines ? lines : ["（未填写）"];
}
