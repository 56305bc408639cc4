using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Rectify.Identity.Accounts;
using Rectify.Identity.Clients;
using Rectify.Identity.Security;
using Rectify.Identity.SignIn;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform.Identity;

namespace Rectify.Identity;

/// <summary>The gRPC face of the identity service.</summary>
[Authorize]
public sealed class IdentityApi(SignInService signIn, AccountService accounts, ClientService clients, SecurityEventStore events) : IdentityService.IdentityServiceBase
{
    [AllowAnonymous]
    public override Task<TokenResponse> Login(LoginRequest request, ServerCallContext context) => signIn.LoginAsync(request, Remote(context), context.CancellationToken);

    [AllowAnonymous]
    public override Task<TokenResponse> Refresh(RefreshRequest request, ServerCallContext context) => signIn.RefreshAsync(request, Remote(context), context.CancellationToken);

    [AllowAnonymous]
    public override Task<LogoutResponse> Logout(RefreshRequest request, ServerCallContext context) => signIn.LogoutAsync(request, Remote(context), context.CancellationToken);

    [AllowAnonymous]
    public override Task<Account> Bootstrap(BootstrapRequest request, ServerCallContext context) => signIn.BootstrapAsync(request, Remote(context), context.CancellationToken);

    public override async Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var response = new WhoAmIResponse { Subject = caller.Subject, OrgCode = caller.Org.Value, Role = Roles.ToProto(caller.Role) };
        var clientId = context.GetHttpContext().User.FindFirst(TokenIssuer.ClientClaim)?.Value;
        if (clientId is not null) response.Client = await clients.FindAsync(clientId, context.CancellationToken);
        else if (await accounts.FindAsync(caller.Subject, context.CancellationToken) is { } account) response.Account = account.ToProto(DateTimeOffset.UtcNow);
        return response;
    }

    public override Task<Account> ChangePassword(ChangePasswordRequest request, ServerCallContext context) => accounts.ChangePasswordAsync(context.Caller(), request, Remote(context), context.CancellationToken);

    public override Task<Account> CreateAccount(CreateAccountRequest request, ServerCallContext context) => accounts.CreateAsync(context.Caller(), request, Remote(context), context.CancellationToken);

    public override Task<ListAccountsResponse> ListAccounts(ListAccountsRequest request, ServerCallContext context) => accounts.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Account> DisableAccount(AccountRequest request, ServerCallContext context) => accounts.DisableAsync(context.Caller(), request, Remote(context), context.CancellationToken);

    public override Task<Account> EnableAccount(AccountRequest request, ServerCallContext context) => accounts.EnableAsync(context.Caller(), request, Remote(context), context.CancellationToken);

    public override Task<Account> ResetPassword(ResetPasswordRequest request, ServerCallContext context) => accounts.ResetPasswordAsync(context.Caller(), request, Remote(context), context.CancellationToken);

    public override Task<CreatedClient> CreateClient(CreateClientRequest request, ServerCallContext context) => clients.CreateAsync(context.Caller(), request, Remote(context), context.CancellationToken);

    public override Task<ListClientsResponse> ListClients(ListClientsRequest request, ServerCallContext context) => clients.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Client> RevokeClient(ClientRequest request, ServerCallContext context) => clients.RevokeAsync(context.Caller(), request, Remote(context), context.CancellationToken);

    public override Task<ListSecurityEventsResponse> ListSecurityEvents(ListSecurityEventsRequest request, ServerCallContext context) => events.ListAsync(context.Caller(), request, context.CancellationToken);

    private static string? Remote(ServerCallContext context) => context.GetHttpContext().Connection.RemoteIpAddress?.ToString();
}
