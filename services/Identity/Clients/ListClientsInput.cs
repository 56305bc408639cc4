using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Identity.Clients;

/// <summary>The machine clients of a subtree (the caller's own unit unless named), checked.</summary>
public sealed record ListClientsInput(OrgCode Org)
{
    public static ListClientsInput Parse(ListClientsRequest request, OrgCode callerOrg)
    {
        var v = new Violations();
        var org = string.IsNullOrEmpty(request.OrgCode) ? callerOrg : v.Code("org_code", request.OrgCode);
        v.ThrowIfAny();
        return new(org!.Value);
    }
}
