using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Role = Rectify.Kernel.Role;

namespace Rectify.Identity.Accounts;

/// <summary>A person's account to create, checked: a user name, a display name, the unit, a role a person may hold, an initial password.</summary>
public sealed record CreateAccountInput(string UserName, string DisplayName, OrgCode Org, Role Role, string Password)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CreateAccountInput Parse(CreateAccountRequest request)
    {
        var v = new Violations();
        var userName = AccountService.CheckUserName(v, request.UserName);
        var displayName = v.Text("display_name", request.DisplayName, 100);
        var org = v.Code("org_code", request.OrgCode);
        var role = Roles.FromProto(request.Role);
        v.Check(role is not null, "role", "must be viewer, officer, reviewer or admin");
        var password = Passwords.Check(v, "password", request.Password, userName);
        v.ThrowIfAny();
        return new(userName!, displayName!, org!.Value, role!.Value, password!);
    }
}
