using System.Security.Claims;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.IdentityModel.Tokens;
using Rectify.Identity;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using Role = Rectify.Kernel.Role;
using SecurityEvent = Rectify.Platform.Identity.SecurityEvent;

namespace Rectify.Tests.Security;

/// <summary>
/// Which tokens a host believes, tried as an attacker would: forged, expired, from another issuer, unsigned, signed
/// with the published development key; and the trust a deployment sets up on purpose: the identity service found
/// by its authority, and an external OpenID Connect issuer with claim names of its own.
/// </summary>
public sealed class TokenTrustTests
{
    private const string County = "360731000000";

    private static OrganizationService.OrganizationServiceClient With(TestHost host, string token) =>
        new(host.Channel.Intercept(m => { m.Add("Authorization", "Bearer " + token); return m; }));

    /// <summary>The county and its ancestors, so that reading the county's children means the token was believed.</summary>
    private static async Task<TestHost> WithCounty(Task<TestHost> starting)
    {
        var host = await starting;
        foreach (var (code, name) in new[] { ("360000000000", "江西省"), ("360700000000", "赣州市"), (County, "于都县") })
            await host.Organizations("000000000000", Role.Service).RegisterUnitAsync(new RegisterUnitRequest { Code = code, Name = name });
        return host;
    }

    private static Task<ListUnitsResponse> Read(TestHost host, string token) => With(host, token).ListChildrenAsync(new ListChildrenRequest { Code = County }).ResponseAsync;

    private static string Unsigned(string org)
    {
        static string Part(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Part("""{"alg":"none","typ":"JWT"}""")}.{Part($$"""{"iss":"rectify","aud":"rectify","sub":"mallory","org":"{{org}}","role":"service","exp":{{exp}}}""")}.";
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Forged_expired_foreign_unsigned_and_tampered_tokens_are_refused(DbProvider provider)
    {
        await using var host = await WithCounty(TestHost.StartAsync(provider));
        await Read(host, TestIssuer.Token(County));

        var otherKey = IssuerKey.LoadOrCreate(Path.Combine(Directory.CreateTempSubdirectory().FullName, "mallory.pem"));
        var forged = TokenIssuer.Mint(otherKey.Credentials, "rectify", "rectify", "mallory", OrgCode.Nation, Role.Service, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var expired = TestIssuer.Token(County, now: DateTimeOffset.UtcNow.AddHours(-2), lifetime: TimeSpan.FromHours(1));
        var wrongIssuer = TokenIssuer.Mint(TestIssuer.Key.Credentials, "someone-else", "rectify", "mallory", OrgCode.Nation, Role.Service, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var wrongAudience = TokenIssuer.Mint(TestIssuer.Key.Credentials, "rectify", "another-system", "mallory", OrgCode.Nation, Role.Service, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var genuine = TestIssuer.Token("360731100000");
        // The township's genuine token with its org raised to the nation, signature kept.
        var parts = genuine.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("360731100000", "000000000000");
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
        foreach (var (what, token) in new[] { ("forged", forged), ("expired", expired), ("wrong issuer", wrongIssuer), ("wrong audience", wrongAudience), ("alg=none", Unsigned(County)), ("tampered", tampered), ("garbage", "not.a.token") })
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Read(host, token));
            Assert.True(e.StatusCode == StatusCode.Unauthenticated, $"{what}: expected Unauthenticated, got {e.StatusCode}");
        }

        // The README's development key opens a standalone trial on SQLite, and nothing else.
        var development = TokenIssuer.MintDevelopment("tester", OrgCode.Parse(County), Role.Officer, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        if (provider == DbProvider.Sqlite) await Read(host, development);
        else await Rpc.Refused(StatusCode.Unauthenticated, () => Read(host, development));
    }

    [Fact]
    public async Task Sign_ins_and_token_requests_from_one_address_are_rate_limited()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new IdentityModule()],
            new Dictionary<string, string?> { ["Rectify:Identity:SignInsPerMinutePerAddress"] = "3" });
        var anonymous = new IdentityService.IdentityServiceClient(host.Channel);
        // Spraying guesses across accounts: each refused as a wrong sign-in, until the address is slowed down.
        for (var i = 0; i < 3; i++)
            await Rpc.Refused(StatusCode.Unauthenticated, () => anonymous.LoginAsync(new LoginRequest { UserName = $"user{i}", Password = "Spring-2026-guess" }));
        await Rpc.Refused(StatusCode.ResourceExhausted, () => anonymous.LoginAsync(new LoginRequest { UserName = "user9", Password = "Spring-2026-guess" }));
        using var http = new HttpClient { BaseAddress = new Uri(host.HttpUrl) };
        var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["grant_type"] = "client_credentials", ["client_id"] = "x", ["client_secret"] = "y" }));
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, token.StatusCode);
    }

    [Theory]
    [InlineData(true, "10.20.30.40")]
    [InlineData(false, "127.0.0.1")]
    public async Task Security_events_name_the_client_a_trusted_proxy_forwards_and_otherwise_the_connection(bool trusted, string expected)
    {
        var settings = new Dictionary<string, string?>();
        if (trusted) settings["Rectify:TrustedProxies:0"] = "127.0.0.1";
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new IdentityModule()], settings);
        var viaProxy = new IdentityService.IdentityServiceClient(host.Channel.Intercept(m => { m.Add("x-forwarded-for", "10.20.30.40"); return m; }));
        await Rpc.Refused(StatusCode.Unauthenticated, () => viaProxy.LoginAsync(new LoginRequest { UserName = "nobody.here", Password = "Spring-2026-guess" }));
        await new IdentityService.IdentityServiceClient(host.As(County, Role.Admin)).CreateAccountAsync(new CreateAccountRequest
            { UserName = "proxied.clerk", DisplayName = "镇党建办", OrgCode = "360731100000", Role = Identity.V1.Role.Viewer, Password = "Correct-Horse-9" });
        await Rpc.Refused(StatusCode.Unauthenticated, () => viaProxy.LoginAsync(new LoginRequest { UserName = "proxied.clerk", Password = "Spring-2026-guess" }));
        var events = await Poll.Until(async () =>
        {
            var list = (await new IdentityService.IdentityServiceClient(host.As(County, Role.Admin)).ListSecurityEventsAsync(new ListSecurityEventsRequest())).Events;
            return list.Single(e => e.Kind == SecurityEvent.LoginFailed && e.Subject == "proxied.clerk");
        });
        Assert.Equal(expected, events.Remote);
    }

    [Fact]
    public async Task A_distributed_host_refuses_the_development_key()
    {
        await using var host = await WithCounty(TestHost.StartAsync(DbProvider.Sqlite, settings: new Dictionary<string, string?> { ["Rectify:Mode"] = "Distributed" }));
        await Read(host, TestIssuer.Token(County));
        var development = TokenIssuer.MintDevelopment("tester", OrgCode.Parse(County), Role.Officer, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        await Rpc.Refused(StatusCode.Unauthenticated, () => Read(host, development));
    }

    [Theory]
    [InlineData("Rectify:Storage:Provider", "Postgres", "Rectify:Mode must be set")]
    [InlineData("Rectify:Bus:Transport", "RabbitMq", "Rectify:Mode must be set")]
    [InlineData("Rectify:Auth:SigningKey", "a-shared-secret-of-more-than-32-bytes-0001", "no longer accepted")]
    [InlineData("Rectify:Auth:AccessTokenLifetime", "01:00:00", "AccessTokenLifetime")]
    public async Task A_host_configured_to_start_insecurely_refuses_to_start(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { ["Rectify:Mode"] = null, [key] = value };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite, settings: settings));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task A_distributed_process_without_the_key_needs_an_authority_and_its_own_client_credentials()
    {
        var noKey = new Dictionary<string, string?> { ["Rectify:Mode"] = "Distributed", ["Rectify:Auth:SigningKeyFile"] = null };
        Assert.Contains("Rectify:Auth:Authority", (await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite, settings: noKey))).Message);
        noKey["Rectify:Auth:Authority"] = "http://127.0.0.1:9";
        Assert.Contains("ClientId", (await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite, settings: noKey))).Message);
    }

    [Fact]
    public async Task Demo_data_goes_into_a_server_database_only_when_asked_for()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Postgres, [new OrganizationsModule()], new Dictionary<string, string?> { ["Rectify:Demo"] = null });
        Assert.Empty((await host.Organizations("000000000000", Role.Service).ListChildrenAsync(new ListChildrenRequest { Code = "000000000000" })).Units);
    }

    [Fact]
    public async Task A_service_without_the_key_trusts_the_identity_service_by_its_authority_and_gets_its_own_tokens_there()
    {
        await using var identity = await TestHost.StartAsync(DbProvider.Sqlite, [new IdentityModule()], new Dictionary<string, string?>
        {
            ["Rectify:Mode"] = "Distributed",
            ["Rectify:Identity:ServiceClients:organizations"] = "organizations-client-secret-0001",
        });
        await using var organizations = await TestHost.StartAsync(DbProvider.Sqlite, [new OrganizationsModule()], new Dictionary<string, string?>
        {
            ["Rectify:Mode"] = "Distributed",
            ["Rectify:Auth:SigningKeyFile"] = null,
            ["Rectify:Auth:Authority"] = identity.HttpUrl,
            ["Rectify:Auth:RequireHttpsMetadata"] = "false",
            ["Rectify:Auth:ClientId"] = "organizations",
            ["Rectify:Auth:ClientSecret"] = "organizations-client-secret-0001",
        });
        // The system's own token, fetched from the identity service with this process's client credentials …
        var serviceToken = organizations.Get<ServiceTokens>().Current();
        foreach (var (code, name) in new[] { ("360000000000", "江西省"), ("360700000000", "赣州市"), (County, "于都县") })
            await With(organizations, serviceToken).RegisterUnitAsync(new RegisterUnitRequest { Code = code, Name = name });
        // … and a person's token from there too, checked against the keys the identity service publishes.
        await new IdentityService.IdentityServiceClient(identity.As(County, Role.Admin)).CreateAccountAsync(new CreateAccountRequest
            { UserName = "county.viewer", DisplayName = "县委组织部", OrgCode = County, Role = Identity.V1.Role.Viewer, Password = "Correct-Horse-9" });
        var signedIn = await new IdentityService.IdentityServiceClient(identity.Channel).LoginAsync(new LoginRequest { UserName = "county.viewer", Password = "Correct-Horse-9" });
        await Read(organizations, signedIn.AccessToken);
        await Rpc.Refused(StatusCode.PermissionDenied, () => With(organizations, signedIn.AccessToken).RegisterUnitAsync(new RegisterUnitRequest { Code = "360731100000", Name = "贡江镇" }).ResponseAsync);
    }

    [Fact]
    public async Task Tokens_of_an_external_OpenID_Connect_issuer_are_accepted_by_discovery_with_its_own_claim_names_and_never_as_the_system()
    {
        // The province's single sign-on: a real second issuer with a key of its own, on its own port.
        var provinceKey = Path.Combine(Directory.CreateTempSubdirectory().FullName, "province-sso.pem");
        await using var province = await TestHost.StartAsync(DbProvider.Sqlite, [new IdentityModule()], new Dictionary<string, string?>
        {
            ["Rectify:Auth:SigningKeyFile"] = provinceKey,
            ["Rectify:Auth:Issuer"] = "https://sso.province.example/realms/gov",
            ["Rectify:Identity:ServiceClients:sso-robot"] = "sso-robot-secret-0001",
        });
        var provinceAdmin = new IdentityService.IdentityServiceClient(province.Channel.Intercept(m =>
        {
            m.Add("Authorization", "Bearer " + TokenIssuer.Mint(IssuerKey.LoadOrCreate(provinceKey).Credentials, "https://sso.province.example/realms/gov", "rectify",
                "province-admin", OrgCode.Parse("360000000000"), Role.Admin, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
            return m;
        }));
        await provinceAdmin.CreateAccountAsync(new CreateAccountRequest { UserName = "zhang.san", DisplayName = "张三", OrgCode = County, Role = Identity.V1.Role.Officer, Password = "Correct-Horse-9" });
        var ssoToken = (await new IdentityService.IdentityServiceClient(province.Channel).LoginAsync(new LoginRequest { UserName = "zhang.san", Password = "Correct-Horse-9" })).AccessToken;

        await using var county = await WithCounty(TestHost.StartAsync(DbProvider.Sqlite, [new OrganizationsModule()], new Dictionary<string, string?>
        {
            ["Rectify:Auth:ExternalIssuers:0:Authority"] = province.HttpUrl,
            ["Rectify:Auth:ExternalIssuers:0:Issuer"] = "https://sso.province.example/realms/gov",
            ["Rectify:Auth:ExternalIssuers:0:RequireHttpsMetadata"] = "false",
            // Its own claim names and role values: the person's display name is who, its "officer" is a viewer here.
            ["Rectify:Auth:ExternalIssuers:0:SubjectClaim"] = "name",
            ["Rectify:Auth:ExternalIssuers:0:Roles:officer"] = "viewer",
        }));
        await Read(county, ssoToken);
        await Rpc.Refused(StatusCode.PermissionDenied, () => With(county, ssoToken).RegisterUnitAsync(new RegisterUnitRequest { Code = "360731100000", Name = "贡江镇" }).ResponseAsync);

        // The issuer's own system token says role=service: from outside, that is never the system.
        using var http = new HttpClient { BaseAddress = new Uri(province.HttpUrl) };
        var issued = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["grant_type"] = "client_credentials", ["client_id"] = "sso-robot", ["client_secret"] = "sso-robot-secret-0001" }));
        var robot = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<TokenEndpointResponse>(issued.Content))!.AccessToken;
        await Rpc.Refused(StatusCode.Unauthenticated, () => Read(county, robot));
        // And a token this county's own issuer never signed, under the province's name, fails its signature.
        var impostor = TokenIssuer.Mint(TestIssuer.Key.Credentials, "https://sso.province.example/realms/gov", "rectify", "mallory", OrgCode.Parse(County), Role.Officer,
            DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), [new Claim("name", "mallory")]);
        await Rpc.Refused(StatusCode.Unauthenticated, () => Read(county, impostor));
    }
}
