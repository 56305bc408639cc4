using Rectify.Identity.Accounts;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Role = Rectify.Kernel.Role;

namespace Rectify.Identity.Clients;

/// <summary>A machine client to create, checked: a name, the unit it acts for, viewer or officer (officer unless given).</summary>
public sealed record CreateClientInput(string Name, OrgCode Org, Role Role)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CreateClientInput Parse(CreateClientRequest request)
    {
        var v = new Violations();
        var name = v.Text("name", request.Name, 100);
        var org = v.Code("org_code", request.OrgCode);
        var role = request.Role == V1.Role.Unspecified ? Role.Officer : Roles.FromProto(request.Role);
        // A machine pushes and reads; decisions and administration stay with people.
        v.Check(role is Role.Viewer or Role.Officer, "role", "must be viewer or officer");
        v.ThrowIfAny();
        return new(name!, org!.Value, role!.Value);
    }
}
