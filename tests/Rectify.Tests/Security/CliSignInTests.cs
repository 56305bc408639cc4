using System.Diagnostics;
using System.Text.Json;
using Rectify.Identity;
using Rectify.Kernel;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Security;

/// <summary>
/// The way a county admin and a township system get in, with the real rectify-cli as a process: the first admin with the
/// printed code, a person's sign-in kept between commands, an account and a machine client created, the machine's own
/// token, sign-out.
/// </summary>
public sealed class CliSignInTests : IAsyncLifetime
{
    private const string County = "360731000000";
    private TestHost _host = null!;
    private readonly string _config = Directory.CreateTempSubdirectory("rectify-cli-").FullName;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(DbProvider.Sqlite, [new IdentityModule(), new OrganizationsModule()],
            new Dictionary<string, string?> { ["Rectify:Identity:BootstrapCode"] = "printed-at-first-start" });
        foreach (var (code, name) in new[] { ("360000000000", "江西省"), ("360700000000", "赣州市"), (County, "于都县"), ("360731100000", "贡江镇"), ("360731101000", "铁山垅镇") })
            await _host.Organizations("000000000000", Role.Service).RegisterUnitAsync(new RegisterUnitRequest { Code = code, Name = name });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_config, recursive: true);
    }

    private async Task<(int Exit, string Output)> Cli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rectify-cli.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--server");
        start.ArgumentList.Add(_host.GrpcUrl);
        start.Environment["RECTIFY_CONFIG_DIR"] = _config;
        start.Environment.Remove("RECTIFY_TOKEN");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task An_admin_bootstraps_signs_in_and_sets_up_a_clerk_and_a_township_system_from_the_command_line()
    {
        Assert.Equal(0, (await Cli("bootstrap", "--code", "printed-at-first-start", "--user", "yudu.admin", "--org", County, "--name", "县委组织部", "--password", "Admin-Pass-2026")).Exit);
        var (exit, output) = await Cli("login", "yudu.admin", "--password", "Admin-Pass-2026");
        Assert.True(exit == 0, output);
        Assert.Equal("ROLE_ADMIN", JsonDocument.Parse((await Cli("whoami", "--json")).Output).RootElement.GetProperty("role").GetString());
        Assert.Equal(0, (await Cli("account-create", "gjz.clerk", "--org", "360731100000", "--role", "officer", "--name", "贡江镇党建办", "--password", "Clerk-Pass-2026")).Exit);

        var created = JsonDocument.Parse((await Cli("client-create", "贡江镇党建系统", "--org", "360731100000", "--json")).Output).RootElement;
        var id = created.GetProperty("client").GetProperty("clientId").GetString()!;
        var secret = created.GetProperty("clientSecret").GetString()!;
        (exit, output) = await Cli("login", "--client-id", id, "--client-secret", secret, "--http", _host.HttpUrl);
        Assert.True(exit == 0, output);
        Assert.Equal("360731100000", JsonDocument.Parse((await Cli("whoami", "--json")).Output).RootElement.GetProperty("orgCode").GetString());
        Assert.Equal(0, (await Cli("children", "360731100000")).Exit);
        (exit, output) = await Cli("children", "360731101000");
        Assert.Equal(2, exit);
        Assert.Contains("PermissionDenied", output);

        Assert.Equal(0, (await Cli("logout")).Exit);
        (exit, output) = await Cli("whoami");
        Assert.Equal(64, exit);
        Assert.Contains("not signed in", output);
        Assert.NotEqual(0, (await Cli("login", "yudu.admin", "--password", "wrong-password-1")).Exit);
    }
}
