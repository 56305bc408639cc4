using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Identity.Security;

/// <summary>One page of the security events of a subtree (the caller's own unit unless named), checked.</summary>
public sealed record ListSecurityEventsInput(OrgCode Org, Paging Page)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListSecurityEventsInput Parse(ListSecurityEventsRequest request, OrgCode callerOrg)
    {
        var v = new Violations();
        var org = string.IsNullOrEmpty(request.OrgCode) ? callerOrg : v.Code("org_code", request.OrgCode);
        var paging = v.Page(request.Page, 50, SecurityEventStore.MaxPageSize);
        v.ThrowIfAny();
        return new(org!.Value, paging);
    }
}
