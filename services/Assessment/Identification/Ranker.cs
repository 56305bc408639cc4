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

    /// <summary>A branch's place in the order with what its explanation is written from (written for a page only when it is sent).</summary>
    public sealed record Placed(Branch Branch, AssessmentRow Assessment, IReadOnlyList<AssessmentRow.FindingRecord> Findings, int Rank, int TownshipRank);

    /// <summary>The numbers the order is made of, computed by the same code as the explanation's (so they cannot differ).</summary>
    private readonly record struct Score(double Rate, double SatisfactionComponent, double Committee, double CommitteeComponent, double Composite);

    public static List<RankedBranch> Rank(IReadOnlyList<Branch> branches, IReadOnlyDictionary<string, AssessmentRow> assessments, Settings settings) =>
        Order(branches, assessments, settings).Select(p => Explained(p, settings)).ToList();

    /// <summary>
    /// The order alone: every assessed branch scored and sorted, its ranks counted, no explanation written yet. Writing
    /// the 25,000 explanations of a province is most of the work; StreamRanking writes each page's as it sends it.
    /// </summary>
    public static List<Placed> Order(IReadOnlyList<Branch> branches, IReadOnlyDictionary<string, AssessmentRow> assessments, Settings settings)
    {
        var scored = new List<(Branch Branch, AssessmentRow Assessment, IReadOnlyList<AssessmentRow.FindingRecord> Findings, double Composite, double Rate, double Committee)>(branches.Count);
        foreach (var branch in branches)
            if (assessments.TryGetValue(branch.VillageCode, out var assessment))
            {
                var findings = FindingsOf(assessment);
                var score = ScoreOf(assessment, findings, settings);
                // Rounded once per branch rather than at each comparison (the same values), so that two equal composites
                // reached by different sums compare equal.
                scored.Add((branch, assessment, findings, Math.Round(score.Composite, 6), Math.Round(score.Rate, 9), Math.Round(score.Committee, 6)));
            }
        scored.Sort((a, b) =>
        {
            var byComposite = a.Composite.CompareTo(b.Composite);
            if (byComposite != 0) return byComposite;
            var byRate = a.Rate.CompareTo(b.Rate);
            if (byRate != 0) return byRate;
            var byCommittee = a.Committee.CompareTo(b.Committee);
            return byCommittee != 0 ? byCommittee : string.CompareOrdinal(a.Branch.VillageCode, b.Branch.VillageCode);
        });
        var townshipRanks = new Dictionary<string, int>();
        var placed = new List<Placed>(scored.Count);
        foreach (var s in scored)
        {
            var inTownship = townshipRanks[s.Branch.TownshipCode] = townshipRanks.GetValueOrDefault(s.Branch.TownshipCode) + 1;
            placed.Add(new Placed(s.Branch, s.Assessment, s.Findings, placed.Count + 1, inTownship));
        }
        return placed;
    }

    /// <summary>A placed branch with its explanation written.</summary>
    public static RankedBranch Explained(Placed placed, Settings settings) =>
        new() { Branch = placed.Branch, Rank = placed.Rank, TownshipRank = placed.TownshipRank, Explanation = Explain(placed.Assessment, placed.Findings, settings) };

    public static ScoreExplanation Explain(AssessmentRow assessment, Settings settings) => Explain(assessment, FindingsOf(assessment), settings);

    // Most branches have no finding: their "[]" needs no JSON parser.
    private static IReadOnlyList<AssessmentRow.FindingRecord> FindingsOf(AssessmentRow assessment) => assessment.Findings == "[]" ? [] : assessment.FindingList;

    private static Score ScoreOf(AssessmentRow assessment, IReadOnlyList<AssessmentRow.FindingRecord> findings, Settings settings)
    {
        var rate = assessment.SatisfactionRate;
        var committee = assessment.CommitteeScore;
        var satisfactionComponent = settings.SatisfactionWeight * rate * 100;
        var committeeComponent = settings.CommitteeWeight * committee;
        var deducted = 0.0;
        foreach (var finding in findings)
            if (settings.FindRule(finding.Code) is { Deduction: > 0 } rule) deducted += rule.Deduction;
        return new Score(rate, satisfactionComponent, committee, committeeComponent, satisfactionComponent + committeeComponent - deducted);
    }

    private static ScoreExplanation Explain(AssessmentRow assessment, IReadOnlyList<AssessmentRow.FindingRecord> findings, Settings settings)
    {
        var score = ScoreOf(assessment, findings, settings);
        var rate = score.Rate;
        var committee = score.Committee;
        var explanation = new ScoreExplanation
        {
            SatisfactionRate = rate,
            SatisfactionComponent = score.SatisfactionComponent,
            CommitteeScore = committee,
            CommitteeComponent = score.CommitteeComponent,
            Composite = score.Composite,
        };
        foreach (var finding in findings)
        {
            var rule = settings.FindRule(finding.Code);
            if (rule is null) continue;
            if (rule.Deduction > 0) explanation.Deductions.Add(new Deduction { FindingCode = rule.Code, FindingName = rule.Name, Points = rule.Deduction });
            if (rule.AutoDesignation) explanation.AutoDesignationReasons.Add(rule.Code);
        }
        if (rate < settings.AutoDesignateBelowSatisfaction) explanation.AutoDesignationReasons.Add(SatisfactionBelowThreshold);
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
