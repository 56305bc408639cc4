using System.Globalization;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.V1;

namespace Rectify.Assessment.Identification;

/// <summary>
/// 排序: each assessed branch's composite score — satisfaction weight × rate × 100
/// plus committee weight × committee score, minus the survey deductions — sorted
/// ascending (weakest first). Ties go to the lower satisfaction rate, then the
/// lower committee score, then the lower village code, so the order never
/// depends on anything but the data.
/// </summary>
public static class Ranker
{
    public const string SatisfactionBelowThreshold = "SATISFACTION_BELOW_THRESHOLD";

    public static List<RankedBranch> Rank(IReadOnlyList<Branch> branches, IReadOnlyDictionary<string, AssessmentRow> assessments, Settings settings)
    {
        var scored = new List<(Branch Branch, ScoreExplanation Explanation)>(branches.Count);
        foreach (var branch in branches)
            if (assessments.TryGetValue(branch.VillageCode, out var assessment))
                scored.Add((branch, Explain(assessment, settings)));
        // Rounded so that two equal composites reached by different sums compare equal.
        scored.Sort((a, b) =>
        {
            var byComposite = Math.Round(a.Explanation.Composite, 6).CompareTo(Math.Round(b.Explanation.Composite, 6));
            if (byComposite != 0) return byComposite;
            var byRate = Math.Round(a.Explanation.SatisfactionRate, 9).CompareTo(Math.Round(b.Explanation.SatisfactionRate, 9));
            if (byRate != 0) return byRate;
            var byCommittee = Math.Round(a.Explanation.CommitteeScore, 6).CompareTo(Math.Round(b.Explanation.CommitteeScore, 6));
            return byCommittee != 0 ? byCommittee : string.CompareOrdinal(a.Branch.VillageCode, b.Branch.VillageCode);
        });
        var townshipRanks = new Dictionary<string, int>();
        return scored.Select((s, i) =>
        {
            var inTownship = townshipRanks[s.Branch.TownshipCode] = townshipRanks.GetValueOrDefault(s.Branch.TownshipCode) + 1;
            return new RankedBranch { Branch = s.Branch, Rank = i + 1, TownshipRank = inTownship, Explanation = s.Explanation };
        }).ToList();
    }

    public static ScoreExplanation Explain(AssessmentRow assessment, Settings settings)
    {
        var rate = assessment.SatisfactionRate;
        var committee = assessment.CommitteeScore;
        var explanation = new ScoreExplanation
        {
            SatisfactionRate = rate,
            SatisfactionComponent = settings.SatisfactionWeight * rate * 100,
            CommitteeScore = committee,
            CommitteeComponent = settings.CommitteeWeight * committee,
        };
        foreach (var finding in assessment.FindingList)
        {
            var rule = settings.FindRule(finding.Code);
            if (rule is null) continue;
            if (rule.Deduction > 0) explanation.Deductions.Add(new Deduction { FindingCode = rule.Code, FindingName = rule.Name, Points = rule.Deduction });
            if (rule.AutoDesignation) explanation.AutoDesignationReasons.Add(rule.Code);
        }
        if (rate < settings.AutoDesignateBelowSatisfaction) explanation.AutoDesignationReasons.Add(SatisfactionBelowThreshold);
        explanation.Composite = explanation.SatisfactionComponent + explanation.CommitteeComponent - explanation.Deductions.Sum(d => d.Points);
        var c = CultureInfo.InvariantCulture;
        var deductions = explanation.Deductions.Count == 0 ? "" : "，扣分 " + string.Join("、", explanation.Deductions.Select(d => $"{d.FindingName} {d.Points.ToString("0.##", c)}"));
        var auto = explanation.AutoDesignationReasons.Count == 0 ? "" : "；直接认定：" + string.Join("、", explanation.AutoDesignationReasons.Select(r => settings.FindRule(r)?.Name ?? $"满意率低于{settings.AutoDesignateBelowSatisfaction * 100:0.#}%"));
        explanation.Text = string.Create(c, $"满意率 {rate * 100:0.0}%（{rate * 100:0.#} 分）× {settings.SatisfactionWeight:0.##} = {explanation.SatisfactionComponent:0.##}；乡镇党委评价 {committee:0.##} 分 × {settings.CommitteeWeight:0.##} = {explanation.CommitteeComponent:0.##}{deductions}；综合得分 {explanation.Composite:0.##}{auto}");
        return explanation;
    }

    /// <summary>
    /// The townships' proposals: in each township, the bottom share (quota × its branches, rounded up — quotas
    /// are not pooled between townships) plus every branch with an auto-designation reason, whatever its rank.
    /// </summary>
    public static List<(RankedBranch Branch, bool BottomQuota)> Propose(IReadOnlyList<RankedBranch> ranking, IReadOnlyList<Branch> branches, Settings settings)
    {
        var sizes = branches.GroupBy(b => b.TownshipCode).ToDictionary(g => g.Key, g => g.Count());
        return ranking
            .Select(r => (Branch: r, BottomQuota: r.TownshipRank <= QuotaOf(sizes[r.Branch.TownshipCode], settings.Quota)))
            .Where(p => p.BottomQuota || p.Branch.Explanation.AutoDesignationReasons.Count > 0)
            .ToList();
    }

    /// <summary>ceil(quota × branches), computed in decimal so that 0.1 × 30 is 3, not 4.</summary>
    public static int QuotaOf(int branches, double quota) => (int)Math.Ceiling((decimal)quota * branches);
}
