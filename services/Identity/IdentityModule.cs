using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Identity.Accounts;
using Rectify.Identity.Clients;
using Rectify.Identity.Demo;
using Rectify.Identity.Oidc;
using Rectify.Identity.Security;
using Rectify.Identity.SignIn;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;

namespace Rectify.Identity;

/// <summary>The identity service as a module of the Rectify host: it must run where the issuer's signing key is.</summary>
public sealed class IdentityModule : ServiceModule<IdentityModule>
{
    public override string Name => "identity";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        services.AddSingleton(configuration.GetSection(IdentityOptions.Section).Get<IdentityOptions>() ?? new IdentityOptions());
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<SignInService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<DemoAccounts>();
        services.AddSingleton<ClientService>();
        services.AddSingleton<SecurityEventStore>();
        services.AddSingleton<ISecurityEventStore>(sp => sp.GetRequiredService<SecurityEventStore>());
        services.AddHostedService(sp => sp.GetRequiredService<SecurityEventStore>());
    }

    public override async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<IssuerKey>() is null)
            throw new InvalidOperationException("The identity service signs tokens: give its process Rectify:Auth:SigningKeyFile.");
        await services.GetRequiredService<SignInService>().OfferBootstrapAsync(ct);
    }

    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<DemoAccounts>().SeedAsync(ct);

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<IdentityApi>();
        OidcEndpoints.Map(endpoints);
    }
}
