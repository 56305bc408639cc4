using Rectify.Identity.Accounts;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Identity.SignIn;

/// <summary>The first admin's account, checked like any account; the one-time code is compared by the method.</summary>
public sealed record BootstrapInput(string Code, string UserName, string DisplayName, string Password, OrgCode Org)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static BootstrapInput Parse(BootstrapRequest request)
    {
        var v = new Violations();
        var userName = AccountService.CheckUserName(v, request.UserName);
        var displayName = v.Text("display_name", request.DisplayName, 100);
        var org = v.Code("org_code", request.OrgCode);
        var password = Passwords.Check(v, "password", request.Password, userName);
        v.ThrowIfAny();
        return new(request.Code ?? "", userName!, displayName!, password!, org!.Value);
    }
}
