using System.CommandLine;
using System.Net.Http.Json;
using Google.Protobuf.WellKnownTypes;
using Rectify.Common.V1;
using Rectify.Identity.V1;
using Rectify.Kernel;
using static Rectify.Cli.Define;
using IdentityRole = Rectify.Identity.V1.Role;

namespace Rectify.Cli;

public static class IdentityCommands
{
    private const string Service = "rectify.identity.v1.IdentityService/";

    private static IdentityService.IdentityServiceClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        {
            var org = Text("--org", "the unit the token acts for (12-digit code)", required: true);
            var role = Text("--role", "viewer|officer|reviewer|admin", fallback: "officer");
            var subject = Text("--subject", "who the token names", fallback: Environment.UserName);
            var hours = Real("--hours", "how long it lives", 8);
            yield return Rpc("token", "mint a development token with the published development key (a standalone trial on SQLite only accepts it)", [],
                [org, role, subject, hours], c =>
                {
                    var parsed = System.Enum.TryParse<Kernel.Role>(c.Get(role), ignoreCase: true, out var r) ? r : throw new CliException($"--role: {c.Get(role)} is not viewer, officer, reviewer or admin");
                    return Task.FromResult<Google.Protobuf.IMessage>(new StringValue
                        { Value = TokenIssuer.MintDevelopment(c.Get(subject), OrgCode.Parse(c.Get(org)), parsed, TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(c.Get(hours))) });
                }, anonymous: true);
        }
        {
            var code = Text("--code", "the one-time code the service printed at its first start", required: true);
            var user = Text("--user", "the admin's user name", required: true);
            var org = Text("--org", "the unit the admin manages, e.g. the county", required: true);
            var name = Text("--name", "display name (default the user name)");
            var password = Text("--password", "the password (default $RECTIFY_PASSWORD, else asked)");
            yield return Rpc("bootstrap", "create the first admin with the code the service printed", [Service + "Bootstrap"], [code, user, org, name, password],
                async c => await Client(c).BootstrapAsync(new BootstrapRequest
                {
                    Code = c.Get(code), UserName = c.Get(user), OrgCode = c.Get(org), DisplayName = c.Given(name) ? c.Get(name) : c.Get(user),
                    Password = Password(c, password, "the first admin's password"),
                }), anonymous: true);
        }
        {
            var user = OptionalArg("USER", "the user name to sign in as");
            var password = Text("--password", "the password (default $RECTIFY_PASSWORD, else asked)");
            var clientId = Text("--client-id", "sign in as a machine client (OAuth2 client credentials) instead");
            var clientSecret = Text("--client-secret", "the machine client's secret (default $RECTIFY_CLIENT_SECRET)");
            var http = Text("--http", "the HTTP address of the token endpoint, for --client-id", fallback: "http://localhost:5401");
            yield return Rpc("login", "sign in; the session is kept (and renewed) for the next commands", [Service + "Login"], [user, password, clientId, clientSecret, http],
                async c =>
                {
                    if (c.Get(clientId) is { Length: > 0 } id) return await ClientLogin(c, id, c.Get(clientSecret), c.Get(http));
                    var name = c.Get(user) is { Length: > 0 } u ? u : throw new CliException("login needs a user name (or --client-id); try `rectify-cli login --help`");
                    var response = await Client(c).LoginAsync(new LoginRequest { UserName = name, Password = Password(c, password, $"password for {name}") });
                    Session.From(c.Server, response).Save();
                    if (response.MustChangePassword) Console.Error.WriteLine("Your admin set this password: change it now with `rectify-cli passwd`.");
                    return response.Account;
                }, anonymous: true);
        }
        yield return Rpc("refresh", "renew the signed-in session's access token now (commands do it by themselves when it is about to expire)", [Service + "Refresh"], [],
            async c =>
            {
                var session = Session.Load() ?? throw new CliException("not signed in: run `rectify-cli login USER`");
                var renewed = await session.RenewAsync(c.Channel);
                return new StringValue { Value = $"renewed until {renewed.ExpiresAt.ToLocalTime():yyyy-MM-dd HH:mm}" };
            }, anonymous: true);
        yield return Rpc("logout", "sign out: the refresh token is revoked and the session forgotten", [Service + "Logout"], [],
            async c =>
            {
                if (Session.Load() is { RefreshToken: { } refresh }) await Client(c).LogoutAsync(new RefreshRequest { RefreshToken = refresh });
                Session.Forget();
                return new StringValue { Value = "signed out" };
            }, anonymous: true);
        yield return Rpc("whoami", "who the token is: subject, unit, role", [Service + "WhoAmI"], [],
            async c => await Client(c).WhoAmIAsync(new WhoAmIRequest(), c.Headers));
        {
            var current = Text("--current", "the current password (else asked)");
            var @new = Text("--new", "the new password, at least 10 characters (else asked)");
            yield return Rpc("passwd", "change your own password", [Service + "ChangePassword"], [current, @new],
                async c => await Client(c).ChangePasswordAsync(new ChangePasswordRequest
                    { CurrentPassword = Password(c, current, "current password"), NewPassword = Password(c, @new, "new password") }, c.Headers));
        }
        {
            var user = Arg("USER", "the user name: letters, digits, '.', '-', '_'; never changes");
            var org = Text("--org", "the account's unit", required: true);
            var role = Choice("--role", "the account's role", IdentityRole.Viewer);
            var name = Text("--name", "display name, shown in ledgers (default the user name)");
            var password = Text("--password", "the initial password (default $RECTIFY_PASSWORD, else asked); changed at first sign-in");
            yield return Rpc("account-create", "create an account (admin)", [Service + "CreateAccount"], [user, org, role, name, password],
                async c => await Client(c).CreateAccountAsync(new CreateAccountRequest
                {
                    UserName = c.Get(user), OrgCode = c.Get(org), DisplayName = c.Given(name) ? c.Get(name) : c.Get(user), Role = c.Get(role),
                    Password = Password(c, password, $"initial password for {c.Get(user)}"),
                }, c.Headers));
        }
        {
            var org = OptionalArg("ORG", "the subtree (default your unit)");
            var (size, token) = Paging(100);
            yield return Rpc("accounts", "the accounts under a unit (admin)", [Service + "ListAccounts"], [org, size, token],
                async c => await Client(c).ListAccountsAsync(new ListAccountsRequest { OrgCode = c.Get(org), Page = Page(c, size, token) }, c.Headers));
        }
        {
            var user = Arg("USER", "the user name");
            yield return Rpc("account-disable", "disable an account: its refresh tokens die now, its access within minutes (admin)", [Service + "DisableAccount"], [user],
                async c => await Client(c).DisableAccountAsync(new AccountRequest { UserName = c.Get(user) }, c.Headers));
        }
        {
            var user = Arg("USER", "the user name");
            yield return Rpc("account-enable", "enable a disabled account (admin)", [Service + "EnableAccount"], [user],
                async c => await Client(c).EnableAccountAsync(new AccountRequest { UserName = c.Get(user) }, c.Headers));
        }
        {
            var user = Arg("USER", "the user name");
            var password = Text("--password", "the new password (default $RECTIFY_PASSWORD, else asked); changed at next sign-in");
            yield return Rpc("password-reset", "set a new password for an account (admin)", [Service + "ResetPassword"], [user, password],
                async c => await Client(c).ResetPasswordAsync(new ResetPasswordRequest { UserName = c.Get(user), NewPassword = Password(c, password, $"new password for {c.Get(user)}") }, c.Headers));
        }
        {
            var name = Arg("NAME", "the system's name, e.g. 贡江镇党建系统");
            var org = Text("--org", "the unit it acts for", required: true);
            var role = Choice("--role", "viewer or officer", IdentityRole.Officer);
            yield return Rpc("client-create", "create a machine client for a township system; prints its id and secret, once (admin)", [Service + "CreateClient"], [name, org, role],
                async c => await Client(c).CreateClientAsync(new CreateClientRequest { Name = c.Get(name), OrgCode = c.Get(org), Role = c.Get(role) }, c.Headers));
        }
        {
            var org = OptionalArg("ORG", "the subtree (default your unit)");
            yield return Rpc("clients", "the machine clients under a unit (admin)", [Service + "ListClients"], [org],
                async c => await Client(c).ListClientsAsync(new ListClientsRequest { OrgCode = c.Get(org) }, c.Headers));
        }
        {
            var id = Arg("CLIENT_ID", "the client's id");
            yield return Rpc("client-revoke", "revoke a machine client (admin)", [Service + "RevokeClient"], [id],
                async c => await Client(c).RevokeClientAsync(new ClientRequest { ClientId = c.Get(id) }, c.Headers));
        }
        {
            var org = OptionalArg("ORG", "the subtree (default your unit)");
            var (size, token) = Paging(100);
            yield return Rpc("security-events", "failed sign-ins, lockouts, denials, account changes (admin)", [Service + "ListSecurityEvents"], [org, size, token],
                async c => await Client(c).ListSecurityEventsAsync(new ListSecurityEventsRequest { OrgCode = c.Get(org), Page = Page(c, size, token) }, c.Headers));
        }
    }

    public static (Option<int> Size, Option<string> Token) Paging(int size) =>
        (Int("--page-size", "rows a page", size), Text("--page-token", "the next page's token, from the previous page"));

    public static PageRequest Page(Ctx c, Option<int> size, Option<string> token) => new() { PageSize = c.Get(size), PageToken = c.Get(token) };

    private static async Task<StringValue> ClientLogin(Ctx c, string id, string secret, string http)
    {
        using var httpClient = new HttpClient();
        HttpResponseMessage response;
        try
        {
            response = await httpClient.PostAsync(http.TrimEnd('/') + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = id,
                ["client_secret"] = secret is { Length: > 0 } ? secret : Environment.GetEnvironmentVariable("RECTIFY_CLIENT_SECRET") ?? "",
            }));
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach the token endpoint at {http} ({e.Message}): is the server running? set --http to its HTTP address", Cli.ExitUnavailable);
        }
        if (!response.IsSuccessStatusCode) throw new CliException($"the token endpoint refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}", Cli.ExitRpc);
        var token = (await response.Content.ReadFromJsonAsync<TokenEndpointResponse>())!;
        new Session(c.Server, token.AccessToken, DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn), null).Save();
        return new StringValue { Value = $"signed in as client {id} until {DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn).ToLocalTime():HH:mm}" };
    }

    /// <summary>The option, then $RECTIFY_PASSWORD (for --password), then asked on the terminal without echo (or one line of stdin).</summary>
    private static string Password(Ctx c, Option<string> option, string prompt)
    {
        if (c.Given(option)) return c.Get(option);
        if (option.Name == "--password" && Environment.GetEnvironmentVariable("RECTIFY_PASSWORD") is { Length: > 0 } fromEnvironment) return fromEnvironment;
        if (Console.IsInputRedirected) return Console.ReadLine() ?? "";
        Console.Error.Write(prompt + ": ");
        var password = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
            if (key.Key == ConsoleKey.Backspace) { if (password.Length > 0) password.Length--; }
            else password.Append(key.KeyChar);
        Console.Error.WriteLine();
        return password.ToString();
    }
}
