using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Measures.Categories;
using Rectify.Measures.Deadlines;
using Rectify.Measures.Demo;
using Rectify.Measures.Documents;
using Rectify.Measures.Evidence;
using Rectify.Measures.Ledger;
using Rectify.Measures.Plans;
using Rectify.Measures.Targets;
using Rectify.Platform.Hosting;

namespace Rectify.Measures;

/// <summary>The measures service as a module of the Rectify host.</summary>
public sealed class MeasuresModule : ServiceModule<MeasuresModule>
{
    public override string Name => "measures";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        services.AddSingleton(configuration.GetSection(MeasuresOptions.Section).Get<MeasuresOptions>() ?? new MeasuresOptions());
        services.AddSingleton<CategoryCatalog>();
        services.AddSingleton<PlanService>();
        services.AddSingleton<PlanDocument>();
        services.AddSingleton<PlanWorkbook>();
        services.AddSingleton<MeasureWorkflow>();
        services.AddSingleton<LedgerQueries>();
        services.AddSingleton<LedgerExport>();
        services.AddServiceClient<Rectify.Organizations.V1.OrganizationService.OrganizationServiceClient>("organizations"); // a county's name for the ledger's title
        services.AddSingleton<LedgerSnapshot>();
        services.AddSingleton<DeadlineScan>();
        services.AddSingleton<EvidenceStore>();
        services.AddHostedService<DeadlineScheduler>();
    }

    public override void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<TargetsDesignatedConsumer>();

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<MeasureApi>();

    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken ct) => DemoPlans.SeedAsync(services, ct);
}
