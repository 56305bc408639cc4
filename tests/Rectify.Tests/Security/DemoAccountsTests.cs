using Grpc.Core;
using Rectify.Identity;
using Rectify.Identity.Demo;
using Rectify.Identity.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Security;

/// <summary>
/// The demo's sign-in accounts have a password published in the README: they may exist only where development tokens
/// are accepted anyway (a standalone suite on SQLite), never on a server database, even with the demo asked for.
/// </summary>
public sealed class DemoAccountsTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite, true)]
    [InlineData(DbProvider.Postgres, false)]
    public async Task Demo_accounts_exist_only_in_a_standalone_trial_on_sqlite(DbProvider provider, bool expected)
    {
        await using var host = await TestHost.StartAsync(provider, [new IdentityModule()], new Dictionary<string, string?> { ["Rectify:Demo"] = "true" });
        var identity = new IdentityService.IdentityServiceClient(host.Channel);
        foreach (var (userName, _, org, _) in DemoAccounts.All)
        {
            var login = () => identity.LoginAsync(new LoginRequest { UserName = userName, Password = DemoAccounts.Password }).ResponseAsync;
            if (expected) Assert.Equal(org, (await login()).Account.OrgCode);
            else await Rpc.Refused(StatusCode.Unauthenticated, login);
        }
    }
}
