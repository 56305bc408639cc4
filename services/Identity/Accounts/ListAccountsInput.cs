using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Identity.Accounts;

/// <summary>One page of the accounts of a subtree (the caller's own unit unless named), checked.</summary>
public sealed record ListAccountsInput(OrgCode Org, Paging Page)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListAccountsInput Parse(ListAccountsRequest request, OrgCode callerOrg)
    {
        var v = new Violations();
        var org = string.IsNullOrEmpty(request.OrgCode) ? callerOrg : v.Code("org_code", request.OrgCode);
        var paging = v.Page(request.Page, 100, AccountService.MaxPageSize);
        v.ThrowIfAny();
        return new(org!.Value, paging);
    }
}
