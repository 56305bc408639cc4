using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Assessment.Acceptance;
using Rectify.Assessment.Documents;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Demo;
using Rectify.Assessment.Identification;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using Rectify.Platform.Hosting;

namespace Rectify.Assessment;

/// <summary>The assessment service as a module of the Rectify host. It calls organizations and measures over gRPC.</summary>
public sealed class AssessmentModule : ServiceModule<AssessmentModule>
{
    public override string Name => "assessment";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        // The county's villages for a campaign; its measures for acceptance and 回炉.
        services.AddServiceClient<OrganizationService.OrganizationServiceClient>("organizations");
        services.AddServiceClient<MeasureService.MeasureServiceClient>("measures");
        services.AddSingleton<CampaignService>();
        services.AddSingleton<PastDesignationService>();
        services.AddSingleton<IdentificationService>();
        services.AddSingleton<AcceptanceService>();
        services.AddSingleton<TargetSnapshot>();
        services.AddSingleton<AssessmentWorkbook>();
        services.AddSingleton<PastTargetsWorkbook>();
        services.AddSingleton(configuration.GetSection(LookBackOptions.Section).Get<LookBackOptions>() ?? new LookBackOptions());
        services.AddSingleton<LookBackScan>();
        services.AddHostedService<LookBackScheduler>();
    }

    public override void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<ReopenMeasuresOnFailure>();

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<AssessmentApi>();

    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken ct) => DemoCampaign.SeedAsync(services, ct);
}
