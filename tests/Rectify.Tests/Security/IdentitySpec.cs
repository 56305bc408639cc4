using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.IdentityModel.JsonWebTokens;
using Rectify.Identity;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using Role = Rectify.Kernel.Role;
using SecurityEvent = Rectify.Platform.Identity.SecurityEvent;

namespace Rectify.Tests.Security;

/// <summary>
/// People sign in with accounts of a unit and a role, township systems with client credentials; admins manage both
/// in their own subtree only; what goes wrong is refused and recorded. Over real gRPC, on SQLite and PostgreSQL.
/// </summary>
public abstract class IdentitySpec(DbProvider provider) : IAsyncLifetime
{
    protected const string County = "360731000000";
    protected const string OtherCounty = "360732000000";
    protected const string Township = "360731100000";
    protected const string OtherTownship = "360731101000";
    protected const string BootstrapCode = "first-admin-code-0001";
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(provider, [new IdentityModule(), new OrganizationsModule()], new Dictionary<string, string?>
        {
            ["Rectify:Identity:BootstrapCode"] = BootstrapCode,
            ["Rectify:Identity:SignInsPerMinutePerAddress"] = "1000",
        });
        var county = _host.Organizations("000000000000", Role.Service);
        foreach (var (code, name) in new[] { ("360000000000", "江西省"), ("360700000000", "赣州市"), (County, "于都县"), (Township, "贡江镇"), (OtherTownship, "铁山垅镇") })
            await county.RegisterUnitAsync(new RegisterUnitRequest { Code = code, Name = name });
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private IdentityService.IdentityServiceClient Anonymous => new(_host.Channel);

    private IdentityService.IdentityServiceClient As(string org, Role role, string subject = "tester") => new(_host.As(org, role, subject));

    private IdentityService.IdentityServiceClient WithToken(string token) =>
        new(_host.Channel.Intercept(m => { m.Add("Authorization", "Bearer " + token); return m; }));

    private async Task<Account> CreateAsync(string user, string org, Identity.V1.Role role, string password = "Correct-Horse-9") =>
        await As(County, Role.Admin, "县委组织部管理员").CreateAccountAsync(new CreateAccountRequest
        {
            UserName = user, DisplayName = user + "同志", OrgCode = org, Role = role, Password = password,
        });

    [Fact]
    public async Task The_first_admin_is_created_once_with_the_bootstrap_code_and_then_signs_in()
    {
        var request = new BootstrapRequest { Code = "wrong", UserName = "admin", DisplayName = "县委组织部管理员", OrgCode = County, Password = "Bootstrap-Pass-1" };
        await Rpc.Refused(StatusCode.PermissionDenied, () => Anonymous.BootstrapAsync(request));
        request.Code = BootstrapCode;
        var admin = await Anonymous.BootstrapAsync(request);
        Assert.Equal(Identity.V1.Role.Admin, admin.Role);
        await Rpc.Refused(StatusCode.PermissionDenied, () => Anonymous.BootstrapAsync(request));

        var signedIn = await Anonymous.LoginAsync(new LoginRequest { UserName = "admin", Password = "Bootstrap-Pass-1" });
        var token = new JsonWebToken(signedIn.AccessToken);
        Assert.True(token.ValidTo - token.IssuedAt <= AuthOptions.MaxAccessTokenLifetime, "access tokens live at most 15 minutes");
        Assert.Equal("RS256", token.Alg);
        var me = await WithToken(signedIn.AccessToken).WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal((County, Identity.V1.Role.Admin, "admin"), (me.OrgCode, me.Role, me.Account.UserName));
    }

    [Fact]
    public async Task An_admin_manages_accounts_only_in_its_subtree_and_other_accounts_do_not_exist_for_it()
    {
        var clerk = await CreateAsync("gjz.clerk", Township, Identity.V1.Role.Officer);
        Assert.True((await Anonymous.LoginAsync(new LoginRequest { UserName = "gjz.clerk", Password = "Correct-Horse-9" })).MustChangePassword);

        var townshipAdmin = As(Township, Role.Admin, "贡江镇管理员");
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipAdmin.CreateAccountAsync(new CreateAccountRequest
            { UserName = "county.clerk", DisplayName = "县里", OrgCode = County, Role = Identity.V1.Role.Officer, Password = "Correct-Horse-9" }));
        await CreateAsync("tsl.clerk", OtherTownship, Identity.V1.Role.Officer);
        // Another township's account: as if it did not exist.
        await Rpc.Refused(StatusCode.NotFound, () => townshipAdmin.DisableAccountAsync(new AccountRequest { UserName = "tsl.clerk" }));
        await Rpc.Refused(StatusCode.NotFound, () => As(OtherCounty, Role.Admin).ResetPasswordAsync(new ResetPasswordRequest { UserName = clerk.UserName, NewPassword = "Another-Pass-2" }));
        // Officers and reviewers do not manage accounts, even in their own unit.
        await Rpc.Refused(StatusCode.PermissionDenied, () => As(County, Role.Reviewer).ListAccountsAsync(new ListAccountsRequest()));
        Assert.Equal(["gjz.clerk"], (await townshipAdmin.ListAccountsAsync(new ListAccountsRequest())).Accounts.Select(a => a.UserName));
        Assert.Equal(2, (await As(County, Role.Admin).ListAccountsAsync(new ListAccountsRequest())).Accounts.Count);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_until_the_lockout_ends()
    {
        await CreateAsync("locked.out", Township, Identity.V1.Role.Viewer);
        for (var i = 0; i < 5; i++)
            await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.LoginAsync(new LoginRequest { UserName = "locked.out", Password = $"guess-{i}-xxxx" }));
        var refused = await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.LoginAsync(new LoginRequest { UserName = "locked.out", Password = "Correct-Horse-9" }));
        // The same words for an unknown user: the answer tells nothing about which accounts exist.
        var unknown = await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.LoginAsync(new LoginRequest { UserName = "nobody.here", Password = "Correct-Horse-9" }));
        Assert.Equal(unknown.Status.Detail, refused.Status.Detail);

        _host.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.NotEmpty((await Anonymous.LoginAsync(new LoginRequest { UserName = "locked.out", Password = "Correct-Horse-9" })).AccessToken);
        var events = await Poll.Until(async () =>
        {
            var list = (await As(County, Role.Admin).ListSecurityEventsAsync(new ListSecurityEventsRequest())).Events;
            Assert.Contains(list, e => e.Kind == SecurityEvent.AccountLocked && e.Subject == "locked.out" && e.Remote == "127.0.0.1");
            return list;
        });
        Assert.Equal(5, events.Count(e => e.Kind == SecurityEvent.LoginFailed && e.Subject == "locked.out" && e.Detail == "wrong password"));
    }

    [Fact]
    public async Task A_disabled_account_cannot_refresh_and_its_access_token_ends_within_its_short_lifetime()
    {
        await CreateAsync("leaving.clerk", Township, Identity.V1.Role.Officer);
        var signedIn = await Anonymous.LoginAsync(new LoginRequest { UserName = "leaving.clerk", Password = "Correct-Horse-9" });
        var organizations = new OrganizationService.OrganizationServiceClient(_host.Channel.Intercept(m => { m.Add("Authorization", "Bearer " + signedIn.AccessToken); return m; }));
        await organizations.ListChildrenAsync(new ListChildrenRequest { Code = Township });

        await As(County, Role.Admin).DisableAccountAsync(new AccountRequest { UserName = "leaving.clerk" });
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.RefreshAsync(new RefreshRequest { RefreshToken = signedIn.RefreshToken }));
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.LoginAsync(new LoginRequest { UserName = "leaving.clerk", Password = "Correct-Horse-9" }));
        _host.Clock.Advance(new AuthOptions().AccessTokenLifetime + TimeSpan.FromMinutes(1));
        await Rpc.Refused(StatusCode.Unauthenticated, () => organizations.ListChildrenAsync(new ListChildrenRequest { Code = Township }));
    }

    [Fact]
    public async Task A_refresh_token_is_used_once_and_a_used_one_presented_again_ends_the_whole_sign_in()
    {
        await CreateAsync("phone.user", Township, Identity.V1.Role.Viewer);
        var first = await Anonymous.LoginAsync(new LoginRequest { UserName = "phone.user", Password = "Correct-Horse-9" });
        var second = await Anonymous.RefreshAsync(new RefreshRequest { RefreshToken = first.RefreshToken });
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        // A copy of the first token comes back: the thief and the owner are both signed out.
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.RefreshAsync(new RefreshRequest { RefreshToken = first.RefreshToken }));
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.RefreshAsync(new RefreshRequest { RefreshToken = second.RefreshToken }));

        var third = await Anonymous.LoginAsync(new LoginRequest { UserName = "phone.user", Password = "Correct-Horse-9" });
        await Anonymous.LogoutAsync(new RefreshRequest { RefreshToken = third.RefreshToken });
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.RefreshAsync(new RefreshRequest { RefreshToken = third.RefreshToken }));
    }

    [Fact]
    public async Task A_password_change_needs_the_current_password_and_ends_the_accounts_other_sign_ins()
    {
        await CreateAsync("careful.clerk", Township, Identity.V1.Role.Officer);
        var laptop = await Anonymous.LoginAsync(new LoginRequest { UserName = "careful.clerk", Password = "Correct-Horse-9" });
        var phone = await Anonymous.LoginAsync(new LoginRequest { UserName = "careful.clerk", Password = "Correct-Horse-9" });
        var self = WithToken(laptop.AccessToken);
        var wrong = await Rpc.Refused(StatusCode.InvalidArgument, () => self.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = "not-it-at-all", NewPassword = "Battery-Staple-7" }));
        Assert.Equal(["current_password"], wrong.Fields());
        var weak = await Rpc.Refused(StatusCode.InvalidArgument, () => self.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = "Correct-Horse-9", NewPassword = "short" }));
        Assert.Equal(["new_password"], weak.Fields());

        Assert.False((await self.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = "Correct-Horse-9", NewPassword = "Battery-Staple-7" })).Disabled);
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.RefreshAsync(new RefreshRequest { RefreshToken = phone.RefreshToken }));
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.LoginAsync(new LoginRequest { UserName = "careful.clerk", Password = "Correct-Horse-9" }));
        Assert.False((await Anonymous.LoginAsync(new LoginRequest { UserName = "careful.clerk", Password = "Battery-Staple-7" })).MustChangePassword);
    }

    [Fact]
    public async Task A_township_system_gets_tokens_for_its_own_unit_with_client_credentials_until_the_county_revokes_it()
    {
        var created = await As(County, Role.Admin).CreateClientAsync(new CreateClientRequest { Name = "贡江镇党建系统", OrgCode = Township });
        await Rpc.Refused(StatusCode.InvalidArgument, () => As(County, Role.Admin).CreateClientAsync(new CreateClientRequest { Name = "越权", OrgCode = Township, Role = Identity.V1.Role.Admin }));
        using var http = new HttpClient { BaseAddress = new Uri(_host.HttpUrl) };
        async Task<HttpResponseMessage> RequestToken(string secret, bool basic)
        {
            var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
            var message = new HttpRequestMessage(HttpMethod.Post, "/connect/token");
            if (basic) message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{created.Client.ClientId}:{secret}")));
            else { form["client_id"] = created.Client.ClientId; form["client_secret"] = secret; }
            message.Content = new FormUrlEncodedContent(form);
            return await http.SendAsync(message);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await RequestToken("not-the-secret", basic: false)).StatusCode);
        var response = await RequestToken(created.ClientSecret, basic: true);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenEndpointResponse>())!;
        Assert.InRange(token.ExpiresIn, 60, (int)AuthOptions.MaxAccessTokenLifetime.TotalSeconds);
        var system = new OrganizationService.OrganizationServiceClient(_host.Channel.Intercept(m => { m.Add("Authorization", "Bearer " + token.AccessToken); return m; }));
        Assert.Empty((await system.ListChildrenAsync(new ListChildrenRequest { Code = Township })).Units);
        await Rpc.Refused(StatusCode.PermissionDenied, () => system.ListChildrenAsync(new ListChildrenRequest { Code = OtherTownship }));

        await Rpc.Refused(StatusCode.NotFound, () => As(OtherCounty, Role.Admin).RevokeClientAsync(new ClientRequest { ClientId = created.Client.ClientId }));
        Assert.True((await As(County, Role.Admin).RevokeClientAsync(new ClientRequest { ClientId = created.Client.ClientId })).Revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RequestToken(created.ClientSecret, basic: false)).StatusCode);
    }

    [Fact]
    public async Task Security_events_name_who_what_and_from_where_and_an_admin_sees_only_its_subtree()
    {
        await CreateAsync("tsl.viewer", OtherTownship, Identity.V1.Role.Viewer);
        await Rpc.Refused(StatusCode.Unauthenticated, () => Anonymous.LoginAsync(new LoginRequest { UserName = "tsl.viewer", Password = "wrong-password-1" }));
        var townshipAdmin = As(Township, Role.Admin, "贡江镇管理员");
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipAdmin.ListSecurityEventsAsync(new ListSecurityEventsRequest { OrgCode = County }));

        var countyEvents = await Poll.Until(async () =>
        {
            var list = (await As(County, Role.Admin).ListSecurityEventsAsync(new ListSecurityEventsRequest())).Events;
            Assert.Contains(list, e => e.Kind == SecurityEvent.LoginFailed && e.Subject == "tsl.viewer" && e.OrgCode == OtherTownship && e.Remote == "127.0.0.1");
            Assert.Contains(list, e => e.Kind == SecurityEvent.AccessDenied && e.Subject == "贡江镇管理员" && e.Detail.Contains("ListSecurityEvents"));
            return list;
        });
        Assert.Contains(countyEvents, e => e.Kind == SecurityEvent.AccountCreated && e.Detail.Contains("tsl.viewer"));
        var townshipEvents = (await townshipAdmin.ListSecurityEventsAsync(new ListSecurityEventsRequest())).Events;
        Assert.DoesNotContain(townshipEvents, e => e.OrgCode == OtherTownship);
        Assert.Empty((await As(OtherCounty, Role.Admin).ListSecurityEventsAsync(new ListSecurityEventsRequest())).Events);
    }
}

public sealed class IdentityOnSqlite() : IdentitySpec(DbProvider.Sqlite);

public sealed class IdentityOnPostgres() : IdentitySpec(DbProvider.Postgres);
