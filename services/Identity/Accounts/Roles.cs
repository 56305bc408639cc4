using Rectify.Kernel;
using Role = Rectify.Kernel.Role;

namespace Rectify.Identity.Accounts;

/// <summary>The proto's roles and the platform's: a person or a machine can hold any but Service.</summary>
public static class Roles
{
    public static V1.Role ToProto(Role role) => role switch
    {
        Kernel.Role.Viewer => V1.Role.Viewer,
        Kernel.Role.Officer => V1.Role.Officer,
        Kernel.Role.Reviewer => V1.Role.Reviewer,
        Kernel.Role.Admin => V1.Role.Admin,
        _ => V1.Role.Unspecified,
    };

    public static Role? FromProto(V1.Role role) => role switch
    {
        V1.Role.Viewer => Kernel.Role.Viewer,
        V1.Role.Officer => Kernel.Role.Officer,
        V1.Role.Reviewer => Kernel.Role.Reviewer,
        V1.Role.Admin => Kernel.Role.Admin,
        _ => null,
    };
}
