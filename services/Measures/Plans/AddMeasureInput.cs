using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Plans;

/// <summary>A measure added to a problem of an existing plan, checked on its own: the plan's and the problem's ids, and the measure.</summary>
public sealed record AddMeasureInput(string PlanId, string ProblemId, PlannedMeasure Measure)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static AddMeasureInput Parse(AddMeasureRequest request)
    {
        var v = new Violations();
        v.Check(Guid.TryParse(request.PlanId, out _), "plan_id", "must be a plan id");
        v.Check(Guid.TryParse(request.ProblemId, out _), "problem_id", "must be a problem id");
        var measure = v.Check(request.Measure is not null, "measure", "is required") ? PlannedMeasure.Parse(v, "measure", request.Measure!) : null;
        v.ThrowIfAny();
        return new(request.PlanId, request.ProblemId, measure!);
    }
}
