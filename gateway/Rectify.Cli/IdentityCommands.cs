using System.Net.Http.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Rectify.Identity.V1;
using Rectify.Platform.Identity;

namespace Rectify.Cli;

public static class IdentityCommands
{
    public const string Usage = """
        rectify-cli bootstrap --code CODE --user NAME --org CODE [--name 显示名]   the first admin, with the code the service printed
        rectify-cli login USER                        sign in (password asked, or --password / $RECTIFY_PASSWORD); the session is kept
        rectify-cli login --client-id ID --client-secret SECRET [--http URL]   a machine client's token (OAuth2 client credentials)
        rectify-cli logout  |  whoami  |  passwd      sign out (revokes the refresh token), who the token is, change your password
        rectify-cli account-create USER --org CODE --role viewer|officer|reviewer|admin --name 显示名 [--password P]
        rectify-cli accounts [ORG]  |  account-disable USER  |  account-enable USER  |  password-reset USER [--password P]
        rectify-cli client-create NAME --org CODE [--role officer|viewer]   prints the secret once
        rectify-cli clients [ORG]  |  client-revoke CLIENT_ID  |  security-events [ORG]
        """;

    /// <summary>Commands that need no token: they are how one is obtained.</summary>
    public static async Task<IMessage?> RunAnonymousAsync(List<string> positional, Dictionary<string, string> options, GrpcChannel channel, string server)
    {
        var client = new IdentityService.IdentityServiceClient(channel);
        switch (positional[0])
        {
            case "bootstrap":
                return await client.BootstrapAsync(new BootstrapRequest
                {
                    Code = options.GetValueOrDefault("code", ""), UserName = options.GetValueOrDefault("user", ""), OrgCode = options.GetValueOrDefault("org", ""),
                    DisplayName = options.GetValueOrDefault("name", options.GetValueOrDefault("user", "")), Password = Password(options, "the first admin's password"),
                });
            case "login" when options.ContainsKey("client-id"):
            {
                var http = options.GetValueOrDefault("http", "http://localhost:5401").TrimEnd('/');
                using var httpClient = new HttpClient();
                var response = await httpClient.PostAsync(http + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials", ["client_id"] = options["client-id"],
                    ["client_secret"] = options.GetValueOrDefault("client-secret") ?? Environment.GetEnvironmentVariable("RECTIFY_CLIENT_SECRET") ?? "",
                }));
                if (!response.IsSuccessStatusCode) throw new ArgumentException($"the token endpoint refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                var token = (await response.Content.ReadFromJsonAsync<ServiceTokens.TokenEndpointResponse>())!;
                new Session(server, token.AccessToken, DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn), null).Save();
                return new StringValue { Value = $"signed in as client {options["client-id"]} until {DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn):HH:mm}" };
            }
            case "login":
            {
                var user = positional.Count > 1 ? positional[1] : throw new ArgumentException("login needs a user name (or --client-id)");
                var response = await client.LoginAsync(new LoginRequest { UserName = user, Password = Password(options, $"password for {user}") });
                Session.From(server, response).Save();
                if (response.MustChangePassword) Console.Error.WriteLine("Your admin set this password: change it now with `rectify-cli passwd`.");
                return response.Account;
            }
            case "logout":
                if (Session.Load() is { RefreshToken: { } refresh }) await client.LogoutAsync(new RefreshRequest { RefreshToken = refresh });
                Session.Forget();
                return new LogoutResponse();
            default:
                return null;
        }
    }

    public static async Task<IMessage?> RunAsync(Call call)
    {
        var client = new IdentityService.IdentityServiceClient(call.Channel);
        var headers = call.Headers;
        var options = call.Options;
        return call.Command switch
        {
            "whoami" => await client.WhoAmIAsync(new WhoAmIRequest(), headers),
            "passwd" => await client.ChangePasswordAsync(new ChangePasswordRequest
                { CurrentPassword = Password(options, "current password", "current"), NewPassword = Password(options, "new password", "new") }, headers),
            "account-create" => await client.CreateAccountAsync(new CreateAccountRequest
            {
                UserName = call.Arg(1), OrgCode = call.Option("org"), DisplayName = call.Option("name", call.Arg(1)),
                Role = System.Enum.Parse<Identity.V1.Role>(call.Option("role", "viewer"), ignoreCase: true), Password = Password(options, $"initial password for {call.Arg(1)}"),
            }, headers),
            "accounts" => await client.ListAccountsAsync(new ListAccountsRequest { OrgCode = call.Positional.ElementAtOrDefault(1) ?? "" }, headers),
            "account-disable" => await client.DisableAccountAsync(new AccountRequest { UserName = call.Arg(1) }, headers),
            "account-enable" => await client.EnableAccountAsync(new AccountRequest { UserName = call.Arg(1) }, headers),
            "password-reset" => await client.ResetPasswordAsync(new ResetPasswordRequest { UserName = call.Arg(1), NewPassword = Password(options, $"new password for {call.Arg(1)}") }, headers),
            "client-create" => await client.CreateClientAsync(new CreateClientRequest
                { Name = call.Arg(1), OrgCode = call.Option("org"), Role = System.Enum.Parse<Identity.V1.Role>(call.Option("role", "officer"), ignoreCase: true) }, headers),
            "clients" => await client.ListClientsAsync(new ListClientsRequest { OrgCode = call.Positional.ElementAtOrDefault(1) ?? "" }, headers),
            "client-revoke" => await client.RevokeClientAsync(new ClientRequest { ClientId = call.Arg(1) }, headers),
            "security-events" => await client.ListSecurityEventsAsync(new ListSecurityEventsRequest { OrgCode = call.Positional.ElementAtOrDefault(1) ?? "" }, headers),
            _ => null,
        };
    }

    /// <summary>--password (or --current / --new), then $RECTIFY_PASSWORD, then asked on the terminal without echo.</summary>
    private static string Password(Dictionary<string, string> options, string prompt, string option = "password")
    {
        if (options.TryGetValue(option, out var given)) return given;
        if (option == "password" && Environment.GetEnvironmentVariable("RECTIFY_PASSWORD") is { Length: > 0 } fromEnvironment) return fromEnvironment;
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
