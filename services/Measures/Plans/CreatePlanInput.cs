using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Plans;

/// <summary>
/// A village's plan as the document is written, checked on its own: a village's code, a campaign year, phases in order,
/// problems with their measures. What needs the target and the category list is checked against them, in the method.
/// </summary>
public sealed record CreatePlanInput(OrgCode Village, int CampaignYear, DateOnly StartsOn, string BasicSituation, IReadOnlyList<string> Goals,
    IReadOnlyList<PlanService.PhaseRecord> Phases, IReadOnlyList<PlannedProblem> Problems)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CreatePlanInput Parse(CreatePlanRequest request, DateOnly today)
    {
        var v = new Violations();
        var village = v.Code("village_code", request.VillageCode);
        if (village is { } code) v.Check(code.Level == OrgLevel.Village, "village_code", "must be a village's code");
        v.Check(request.CampaignYear >= 2000 && request.CampaignYear <= today.Year + 1, "campaign_year", $"must be between 2000 and {today.Year + 1}");
        var startsOn = v.Date("starts_on", request.StartsOn);
        var basicSituation = v.Text("basic_situation", request.BasicSituation, 10_000);
        v.Check(request.Goals.Count is > 0 and <= 50, "goals", "must list 1 to 50 goals");
        var goals = new List<string?>();
        for (var i = 0; i < request.Goals.Count; i++) goals.Add(v.Text($"goals[{i}]", request.Goals[i], 4000));
        var phases = ParsePhases(v, request.Phases);
        v.Check(request.Problems.Count is > 0 and <= 50, "problems", "must list 1 to 50 problems");
        v.Check(request.Problems.Any(p => p.Measures.Count > 0), "problems", "must hold at least one measure");
        var problems = new List<(string? CategoryCode, string? Description, List<PlannedMeasure?> Measures)>();
        for (var i = 0; i < request.Problems.Count; i++)
        {
            var problem = request.Problems[i];
            var category = v.Text($"problems[{i}].category_code", problem.CategoryCode, 40);
            var description = v.Text($"problems[{i}].description", problem.Description, 4000);
            // A problem may wait for its measures (seed 002 lists measures apart from problems), but the plan needs some.
            v.Check(problem.Measures.Count <= 100, $"problems[{i}].measures", "may list at most 100 measures");
            var measures = new List<PlannedMeasure?>();
            for (var j = 0; j < problem.Measures.Count; j++) measures.Add(PlannedMeasure.Parse(v, $"problems[{i}].measures[{j}]", problem.Measures[j]));
            problems.Add((category, description, measures));
        }
        v.ThrowIfAny();
        return new(village!.Value, request.CampaignYear, startsOn!.Value, basicSituation!, [.. goals.Select(g => g!)], phases,
            [.. problems.Select(p => new PlannedProblem(p.CategoryCode!, p.Description!, [.. p.Measures.Select(m => m!)]))]);
    }

    private static List<PlanService.PhaseRecord> ParsePhases(Violations v, IReadOnlyList<Phase> phases)
    {
        var result = new List<PlanService.PhaseRecord>();
        v.Check(phases.Count is > 0 and <= 10, "phases", "must list 1 to 10 phases");
        for (var i = 0; i < phases.Count; i++)
        {
            var name = v.Text($"phases[{i}].name", phases[i].Name, 50);
            var endsOn = v.Date($"phases[{i}].ends_on", phases[i].EndsOn);
            if (name is null || endsOn is null) continue;
            if (result.Count > 0) v.Check(endsOn > result[^1].EndsOn, $"phases[{i}].ends_on", "must come after the previous phase's end");
            result.Add(new PlanService.PhaseRecord(name, endsOn.Value));
        }
        return result;
    }
}
