using Rectify.Identity.Accounts;
using Rectify.Kernel;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Identity.Demo;

/// <summary>
/// Sign-in accounts for the demo county, so a first try can open the web pages at once. Their password is published in
/// the README, so they exist only where development tokens are accepted anyway: a standalone trial on SQLite.
/// </summary>
public sealed class DemoAccounts(Database<IdentityModule> database, RectifyOptions options, TimeProvider clock)
{
    public const string Password = "Rectify-Demo-2026";

    /// <summary>One account per kind of user, on the demo county's units (docs/web.md lists them).</summary>
    public static readonly (string UserName, string DisplayName, string Org, Role Role)[] All =
    [
        ("city.viewer", "赣州市委组织部", "360700000000", Role.Viewer),
        ("county.reviewer", "于都县委组织部组织二科", "360731000000", Role.Reviewer),
        ("county.viewer", "于都县委组织部", "360731000000", Role.Viewer),
        ("county.admin", "于都县委组织部管理员", "360731000000", Role.Admin),
        ("xinbei.clerk", "新陂乡党建办", "360731203000", Role.Officer),
        ("gongjiang.clerk", "贡江镇党建办", "360731100000", Role.Officer),
        ("hekeng.branch", "禾坑村党支部", "360731203210", Role.Officer),
        // A village whose target the demo planned: measures to report on at once (禾坑村's plan is left to write).
        ("makeng.branch", "马坑村党支部", "360731100205", Role.Officer),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        if (!options.AcceptsDevelopmentKey) return;
        var now = clock.GetUtcNow().UtcDateTime;
        await database.WriteAsync(async session =>
        {
            foreach (var (userName, displayName, org, role) in All)
            {
                if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM accounts WHERE user_name = @userName", new { userName }) > 0) continue;
                await AccountService.InsertAsync(session, new AccountRow
                {
                    UserName = userName, DisplayName = displayName, OrgCode = org, Role = (int)role, PasswordHash = Passwords.Hash(Password),
                    CreatedAt = now, CreatedBy = "demo",
                });
            }
        }, ct);
    }
}
