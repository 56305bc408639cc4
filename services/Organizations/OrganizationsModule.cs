using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Organizations.Assignments;
using Rectify.Organizations.Demo;
using Rectify.Organizations.Documents;
using Rectify.Organizations.Profiles;
using Rectify.Organizations.Units;
using Rectify.Platform.Hosting;

namespace Rectify.Organizations;

/// <summary>The organizations service as a module of the Rectify host.</summary>
public sealed class OrganizationsModule : ServiceModule<OrganizationsModule>
{
    public override string Name => "organizations";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        services.AddSingleton<UnitStore>();
        services.AddSingleton<UnitService>();
        services.AddSingleton<UnitImporter>();
        services.AddSingleton<ProfileService>();
        services.AddSingleton<AssignmentService>();
        services.AddSingleton<OrganizationDocuments>();
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<OrganizationApi>();

    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken ct) =>
        DemoCounty.SeedAsync(services, ct);
}
