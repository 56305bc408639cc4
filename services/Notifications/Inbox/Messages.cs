using System.Globalization;
using Rectify.Events.Assessment;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Kernel;
using Rectify.Platform;

namespace Rectify.Notifications.Inbox;

/// <summary>
/// The words of each notification, in Chinese as the offices write them: the village, the measure, the
/// responsible persons, the deadline and how many days overdue; to the township for its villages, to the
/// county for escalations.
/// </summary>
public static class Messages
{
    private static string Day(DateOnly date) => date.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);

    private static string Township(string village) => OrgCode.Parse(village).AncestorAt(Common.V1.OrgLevel.Township).Value;

    private static string Persons(MeasureSnapshot m) => string.Join("、", m.ResponsiblePersons);

    public static Message DueSoon(MeasureDueSoon e) => new(Township(e.Measure.VillageCode), "measure-due-soon", e.OccurrenceKey,
        $"整改措施{e.DaysLeft}天后到期：{e.Measure.VillageName}",
        $"【整改提醒】{e.Measure.VillageName}整改措施「{e.Measure.Description}」将于{Day(e.Measure.Deadline)}到期（还有{e.DaysLeft}天），整改责任人：{Persons(e.Measure)}。请抓紧推进。",
        $"{e.Measure.VillageName}「{e.Measure.Description}」{Day(e.Measure.Deadline)}到期（还有{e.DaysLeft}天），责任人：{Persons(e.Measure)}");

    public static Message Overdue(MeasureOverdue e) => new(Township(e.Measure.VillageCode), "measure-overdue", e.OccurrenceKey,
        $"整改措施已逾期{e.DaysOverdue}天：{e.Measure.VillageName}",
        $"【逾期提醒】{e.Measure.VillageName}整改措施「{e.Measure.Description}」完成时限为{Day(e.Measure.Deadline)}，已逾期{e.DaysOverdue}天，整改责任人：{Persons(e.Measure)}。请督促整改并及时销号。",
        $"{e.Measure.VillageName}「{e.Measure.Description}」完成时限{Day(e.Measure.Deadline)}，已逾期{e.DaysOverdue}天，责任人：{Persons(e.Measure)}");

    public static Message Escalated(MeasureEscalated e) => new(e.CountyCode, "measure-escalated", e.OccurrenceKey,
        $"逾期{e.DaysOverdue}天升级督办：{e.Measure.VillageName}",
        $"【逾期升级】{e.Measure.VillageName}整改措施「{e.Measure.Description}」完成时限为{Day(e.Measure.Deadline)}，已逾期{e.DaysOverdue}天仍未完成，整改责任人：{Persons(e.Measure)}。提请县委组织部督办。",
        $"{e.Measure.VillageName}「{e.Measure.Description}」完成时限{Day(e.Measure.Deadline)}，已逾期{e.DaysOverdue}天仍未完成，责任人：{Persons(e.Measure)}");

    public static Message ReportDueSoon(ReportDueSoon e) => new(e.TownshipCode, "report-due-soon", e.OccurrenceKey,
        $"{e.Period}月报{e.DaysLeft}天后截止",
        $"【月报催报】{e.TownshipName}{e.Period}月整顿工作月报应于{Day(e.DueOn)}前报送，还有{e.DaysLeft}天，请及时报送。");

    public static Message ReportMissing(ReportMissing e) => new(e.TownshipCode, "report-missing", e.OccurrenceKey,
        $"{e.Period}月报未按时报送",
        $"【月报未报】{e.TownshipName}{e.Period}月整顿工作月报截至{Day(e.DueOn)}未报送，请于{Day(e.LockedAfter)}前补报。");

    public static Message Digest(string countyCode, string period, DateOnly day, IReadOnlyList<string> townships) => new(countyCode, "report-missing-digest",
        $"report-missing-digest:{countyCode}:{period}:{day:yyyyMMdd}",
        $"{period}月报未报乡镇汇总（{townships.Count}个）",
        $"【月报未报汇总】截至{Day(day)}，{period}月整顿工作月报尚有{townships.Count}个乡镇未报送：{string.Join("、", townships)}。");

    public static Message ReportReturned(ReportReturned e) => new(e.UnitCode, "report-returned", $"report-returned:{e.ReportId}",
        $"{e.Period}月报被退回",
        $"【月报退回】{e.Period}月整顿工作月报（第{e.Revision}版）被退回，原因：{e.Reason}。请修改后重新报送。");

    /// <summary>An earlier year's designation entered as history is not news: nothing to tell.</summary>
    public static IEnumerable<Message> Designated(TargetsDesignated e) => e.EnteredAsHistory ? [] : e.Targets.Select(t => new Message(Township(t.VillageCode), "target-designated",
        $"target-designated:{t.VillageCode}:{e.CampaignYear}",
        $"{t.VillageName}确定为整顿对象",
        $"【整顿对象】{t.TownshipName}{t.VillageName}党组织经“两评—调研—排序”和“三级联评”确定为{e.CampaignYear}年度软弱涣散基层党组织整顿对象，请抓紧制定整顿方案。"));

    public static IEnumerable<Message> AcceptanceFailed(AcceptanceFailed e)
    {
        var stage = e.Stage == "look-back" ? "回头看" : "验收";
        var text = $"【{stage}未通过】{e.VillageName}{stage}测评得分{e.Score:0.##}分，不满意票占{e.DissatisfiedShare * 100:0.#}%，{string.Join("；", e.Reasons)}。整改措施已重新打开（回炉），新的完成时限为{Day(e.NewDeadline)}。";
        var key = $"acceptance-failed:{e.CampaignId}:{e.VillageCode}:{e.Stage}:{e.OccurredAt.UtcTicks}";
        yield return new Message(Township(e.VillageCode), "acceptance-failed", key, $"{e.VillageName}{stage}未通过", text);
        yield return new Message(e.CountyCode, "acceptance-failed", key + ":county", $"{e.VillageName}{stage}未通过", text);
    }

    private static string Nth(int ordinal) => $"第{ordinal}次回头看";

    /// <summary>A look-back (回头看) falling due: to the township and the county, each under its own key.</summary>
    public static IEnumerable<Message> LookBackDueSoon(LookBackDueSoon e)
    {
        var title = $"{e.VillageName}{Nth(e.Ordinal)}{e.DaysLeft}天后到期";
        var text = $"【回头看提醒】{e.TownshipName}{e.VillageName}已于{Day(e.AcceptedOn)}通过验收（转化），{Nth(e.Ordinal)}应于{Day(e.DueOn)}前开展（还有{e.DaysLeft}天），请提前组织民主测评。";
        var line = $"{e.TownshipName}{e.VillageName}{Nth(e.Ordinal)}应于{Day(e.DueOn)}前开展（还有{e.DaysLeft}天）";
        yield return new Message(e.TownshipCode, "look-back-due-soon", e.OccurrenceKey, title, text, line);
        yield return new Message(e.CountyCode, "look-back-due-soon", e.OccurrenceKey + ":county", title, text, line);
    }

    public static IEnumerable<Message> LookBackOverdue(LookBackOverdue e)
    {
        var title = $"{e.VillageName}{Nth(e.Ordinal)}已逾期{e.DaysOverdue}天";
        var text = $"【回头看逾期】{e.TownshipName}{e.VillageName}于{Day(e.AcceptedOn)}通过验收（转化），{Nth(e.Ordinal)}应于{Day(e.DueOn)}前开展，已逾期{e.DaysOverdue}天仍未开展，请尽快组织并录入结果。";
        var line = $"{e.TownshipName}{e.VillageName}{Nth(e.Ordinal)}应于{Day(e.DueOn)}前开展，已逾期{e.DaysOverdue}天";
        yield return new Message(e.TownshipCode, "look-back-overdue", e.OccurrenceKey, title, text, line);
        yield return new Message(e.CountyCode, "look-back-overdue", e.OccurrenceKey + ":county", title, text, line);
    }
}
