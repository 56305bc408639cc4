using Role = Rectify.Platform.Identity.Role;

namespace Rectify.Identity.Accounts;

/// <summary>The proto's roles and the platform's: a person or a machine can hold any but Service.</summary>
public static class Roles
{
    public static V1.Role ToProto(Role role) => role switch
    {
        Platform.Identity.Role.Viewer => V1.Role.Viewer,
        Platform.Identity.Role.Officer => V1.Role.Officer,
        Platform.Identity.Role.Reviewer => V1.Role.Reviewer,
        Platform.Identity.Role.Admin => V1.Role.Admin,
        _ => V1.Role.Unspecified,
    };

    public static Role? FromProto(V1.Role role) => role switch
    {
        V1.Role.Viewer => Platform.Identity.Role.Viewer,
        V1.Role.Officer => Platform.Identity.Role.Officer,
        V1.Role.Reviewer => Platform.Identity.Role.Reviewer,
        V1.Role.Admin => Platform.Identity.Role.Admin,
        _ => null,
    };
}
