using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Plans;

/// <summary>Which plan to read: by its id, or (<see cref="PlanId"/> null) by its village and campaign year.</summary>
public sealed record GetPlanInput(string? PlanId, OrgCode Village, int CampaignYear)
{
    /// <summary>The key given, checked (InvalidArgument with the field's details when it is not a plan id or a village's code).</summary>
    public static GetPlanInput Parse(GetPlanRequest request) => request.KeyCase switch
    {
        GetPlanRequest.KeyOneofCase.PlanId => Guid.TryParse(request.PlanId, out _)
            ? new(request.PlanId, default, 0)
            : throw ValidationException.For("plan_id", "must be a plan id"),
        GetPlanRequest.KeyOneofCase.VillageYear => OrgCode.TryParse(request.VillageYear.VillageCode, out var code, out var error)
            ? new(null, code, request.VillageYear.CampaignYear)
            : throw ValidationException.For("village_year.village_code", error),
        _ => throw ValidationException.For("key", "give plan_id or village_year"),
    };
}
