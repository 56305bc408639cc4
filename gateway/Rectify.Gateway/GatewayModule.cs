using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Assessment.V1;
using Rectify.Gateway.Api;
using Rectify.Gateway.Documents;
using Rectify.Gateway.ReadModel;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using Rectify.Platform.Hosting;
using Rectify.Reporting.V1;
using Rectify.Web;

namespace Rectify.Gateway;

/// <summary>The gateway as a module of the Rectify host: its read model, the events that feed it, its API.</summary>
public sealed class GatewayModule : ServiceModule<GatewayModule>
{
    public override string Name => "gateway";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        services.AddSingleton<ProgressModel>();
        services.AddHostedService<ProgressWarmup>();
        // The dashboard's live parts, read on the caller's behalf.
        services.AddServiceClient<MeasureService.MeasureServiceClient>("measures");
        services.AddServiceClient<ReportingService.ReportingServiceClient>("reporting");
        // The rebuild and the reconciliation read the services' own state.
        services.AddServiceClient<OrganizationService.OrganizationServiceClient>("organizations");
        services.AddServiceClient<AssessmentService.AssessmentServiceClient>("assessment");
        services.AddSingleton<Documents.Bulletin>();
        // The 通报's HTTP route calls the gateway's own ProgressService like the other document routes call theirs: one refusal path, the person's token.
        services.AddServiceClient<V1.ProgressService.ProgressServiceClient>("gateway");
        services.AddSingleton<ReadModelRebuild>();
        services.AddSingleton<Reconciler>();
        services.AddJsonForwarding();
        if (configuration.GetValue("Rectify:Gateway:RebuildWhenEmpty", true))
        {
            services.AddSingleton<RebuildWhenEmpty>();
            services.AddHostedService(sp => sp.GetRequiredService<RebuildWhenEmpty>());
            services.AddHealthChecks().AddCheck<ReadModelHealthCheck>("read-model", tags: ["ready"]);
        }
    }

    public override void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<UnitRegisteredProjection>();
        bus.AddConsumer<UnitRenamedProjection>();
        bus.AddConsumer<UnitClosedProjection>();
        bus.AddConsumer<UnitMergedProjection>();
        bus.AddConsumer<TargetsDesignatedProjection>();
        bus.AddConsumer<TargetTransformedProjection>();
        bus.AddConsumer<AcceptanceFailedProjection>();
        bus.AddConsumer<PastAcceptanceFailedProjection>();
        bus.AddConsumer<PlanCreatedProjection>();
        bus.AddConsumer<MeasureCreatedProjection>();
        bus.AddConsumer<MeasureProgressedProjection>();
        bus.AddConsumer<MeasureCompletedProjection>();
        bus.AddConsumer<MeasureClosedProjection>();
        bus.AddConsumer<MeasureReopenedProjection>();
        bus.AddConsumer<ReportSubmittedProjection>();
        bus.AddConsumer<ReportAcceptedProjection>();
        bus.AddConsumer<ReportReturnedProjection>();
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ProgressApi>();
        endpoints.MapGrpcService<ReadModelApi>();
        endpoints.MapProgressEvents();
        endpoints.MapDocumentRoutes();
        // The pages people use sit beside the API they call (docs/web.md).
        endpoints.MapWebPages();
        // The public JSON API: its description, and the services this process does not host reached through it.
        endpoints.MapGet(ApiDocument.Path, () => Results.Bytes(ApiDocument.Utf8, "application/json"));
        endpoints.MapJsonForwarding();
    }

    /// <summary>The read model is loaded into memory before the bus starts, so no event applied meanwhile is overwritten.</summary>
    public override async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
    {
        // Before the bus starts: events already waiting in the queues must not hide that the read model started empty.
        await services.GetRequiredService<ReadModelRebuild>().MarkIfEmptyAsync(ct);
        await services.GetRequiredService<ProgressModel>().LoadAsync(GetDatabase(services), ct);
    }
}
