using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Role = Rectify.Kernel.Role;

namespace Rectify.Identity.Accounts;

public sealed class AccountRow
{
    public string UserName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string OrgCode { get; set; } = "";
    public int Role { get; set; }
    public string PasswordHash { get; set; } = "";
    public bool MustChangePassword { get; set; }
    public bool Disabled { get; set; }
    public int FailedLogins { get; set; }
    public DateTime? LockedUntil { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime? LastLoginAt { get; set; }

    public const string Columns = """
        user_name AS UserName, display_name AS DisplayName, org_code AS OrgCode, role AS Role, password_hash AS PasswordHash,
        must_change_password AS MustChangePassword, disabled AS Disabled, failed_logins AS FailedLogins, locked_until AS LockedUntil,
        created_at AS CreatedAt, created_by AS CreatedBy, last_login_at AS LastLoginAt
        """;

    public Role PlatformRole => (Role)Role;
    public OrgCode Org => Kernel.OrgCode.Parse(OrgCode);

    public bool IsLocked(DateTimeOffset now) => LockedUntil is { } until && until.AsUtc() > now.UtcDateTime;

    public Account ToProto(DateTimeOffset now) => new()
    {
        UserName = UserName, DisplayName = DisplayName, OrgCode = OrgCode, Role = Roles.ToProto(PlatformRole), Disabled = Disabled,
        LockedUntil = IsLocked(now) ? new DateTimeOffset(LockedUntil!.Value.AsUtc()).ToProto() : null,
        CreatedAt = new DateTimeOffset(CreatedAt.AsUtc()).ToProto(), CreatedBy = CreatedBy,
        LastLoginAt = LastLoginAt is { } at ? new DateTimeOffset(at.AsUtc()).ToProto() : null,
    };
}
