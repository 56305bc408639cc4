using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Campaigns;

/// <summary>A campaign's rules, with DESIGN.md's defaults; stored as JSON with the campaign.</summary>
public sealed record Settings(
    double SatisfactionWeight,
    double CommitteeWeight,
    double Quota,
    IReadOnlyList<Settings.Rule> FindingRules,
    double AutoDesignateBelowSatisfaction,
    double PassScore,
    double OutrightFailDissatisfiedShare,
    IReadOnlyList<int> LookBackMonths,
    DateOnly EndsOn)
{
    public sealed record Rule(string Code, string Name, double Deduction, bool AutoDesignation);

    /// <summary>The auto-designation findings of DESIGN.md §2 and the usual deductible ones.</summary>
    public static readonly IReadOnlyList<Rule> StandardRules =
    [
        new("SECRETARY_VACANT", "书记空缺3个月以上", 0, true),
        new("NO_ORGANIZATIONAL_LIFE", "组织生活不开展", 0, true),
        new("NO_NEW_MEMBERS_2Y", "两年以上未发展党员", 0, true),
        new("LAST_IN_YEAR_END", "年终考核排名末位", 0, true),
        new("PETITIONS_OR_SECURITY", "信访矛盾集中或治安问题突出", 0, true),
        new("INTERFERENCE", "宗族宗教黑恶势力干扰", 0, true),
        new("WEAK_ECONOMY", "村级集体经济薄弱", 5, false),
        new("WEAK_TEAM", "班子不团结、战斗力不强", 5, false),
        new("POOR_SERVICE", "服务群众能力弱", 3, false),
        new("LAX_MANAGEMENT", "党员教育管理松散", 3, false),
    ];

    public Rule? FindRule(string code) => FindingRules.FirstOrDefault(r => r.Code == code);

    /// <summary>Reads the request's settings, filling defaults and refusing what cannot be a campaign's rule.</summary>
    public static Settings From(CampaignSettings? proto, int year, Violations v)
    {
        proto ??= new CampaignSettings();
        var satisfaction = proto.HasSatisfactionWeight ? proto.SatisfactionWeight : proto.HasCommitteeWeight ? 1 - proto.CommitteeWeight : 0.5;
        var committee = proto.HasCommitteeWeight ? proto.CommitteeWeight : 1 - satisfaction;
        v.Check(satisfaction is >= 0 and <= 1, "settings.satisfaction_weight", "must be between 0 and 1");
        v.Check(committee is >= 0 and <= 1, "settings.committee_weight", "must be between 0 and 1");
        v.Check(Math.Abs(satisfaction + committee - 1) < 1e-9, "settings.committee_weight", $"and satisfaction_weight must sum to 1, not {satisfaction + committee}");
        var quota = proto.HasQuota ? proto.Quota : 0.1;
        v.Check(quota > 0 && quota <= 1, "settings.quota", "must be in (0, 1]");
        var rules = proto.FindingRules.Count == 0 ? StandardRules : proto.FindingRules.Select(r => new Rule(r.Code.Trim(), r.Name.Trim(), r.Deduction, r.AutoDesignation)).ToList();
        for (var i = 0; i < rules.Count; i++)
        {
            v.Check(rules[i].Code.Length is > 0 and <= 40, $"settings.finding_rules[{i}].code", "must be 1 to 40 characters");
            v.Check(rules[i].Name.Length is > 0 and <= 100, $"settings.finding_rules[{i}].name", "must be 1 to 100 characters");
            v.Check(rules[i].Deduction is >= 0 and <= 100, $"settings.finding_rules[{i}].deduction", "must be between 0 and 100");
        }
        v.Check(rules.Select(r => r.Code).Distinct().Count() == rules.Count, "settings.finding_rules", "repeat a code");
        var below = proto.HasAutoDesignateBelowSatisfaction ? proto.AutoDesignateBelowSatisfaction : 0.6;
        v.Check(below is >= 0 and <= 1, "settings.auto_designate_below_satisfaction", "must be between 0 and 1");
        var pass = proto.HasPassScore ? proto.PassScore : 70;
        // Two places at most, as the scores: the verdict compares the mean in whole hundredths with it (AcceptanceService.Judge).
        v.Check(pass > 0 && Hundredths.From(pass) is not null, "settings.pass_score", "must be in (0, 100] with at most two decimal places");
        var outright = proto.HasOutrightFailDissatisfiedShare ? proto.OutrightFailDissatisfiedShare : 0.5;
        v.Check(outright is > 0 and <= 1, "settings.outright_fail_dissatisfied_share", "must be in (0, 1]");
        var lookBacks = proto.LookBackMonths.Count == 0 ? [3, 6] : proto.LookBackMonths.ToList();
        v.Check(lookBacks.All(m => m is >= 1 and <= 36) && lookBacks.Distinct().Count() == lookBacks.Count, "settings.look_back_months", "must be distinct months from 1 to 36");
        var endsOn = v.Date("settings.ends_on", proto.EndsOn, required: false) ?? new DateOnly(Math.Clamp(year, 1, 9999), 12, 31);
        v.Check(endsOn.Year == year || endsOn.Year == year + 1, "settings.ends_on", "must fall in the campaign's year or the next");
        return new Settings(satisfaction, committee, quota, rules, below, pass, outright, lookBacks, endsOn);
    }

    public CampaignSettings ToProto()
    {
        var proto = new CampaignSettings
        {
            SatisfactionWeight = SatisfactionWeight, CommitteeWeight = CommitteeWeight, Quota = Quota,
            AutoDesignateBelowSatisfaction = AutoDesignateBelowSatisfaction, PassScore = PassScore,
            OutrightFailDissatisfiedShare = OutrightFailDissatisfiedShare, EndsOn = EndsOn.ToProto(),
        };
        proto.FindingRules.AddRange(FindingRules.Select(r => new FindingRule { Code = r.Code, Name = r.Name, Deduction = r.Deduction, AutoDesignation = r.AutoDesignation }));
        proto.LookBackMonths.AddRange(LookBackMonths);
        return proto;
    }
}
