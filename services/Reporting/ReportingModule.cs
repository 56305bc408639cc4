using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Reporting.Demo;
using Rectify.Reporting.Directory;
using Rectify.Reporting.Reminders;
using Rectify.Reporting.Reports;

namespace Rectify.Reporting;

/// <summary>The reporting service as a module of the Rectify host. It reads the ledger from measures over gRPC.</summary>
public sealed class ReportingModule : ServiceModule<ReportingModule>
{
    public override string Name => "reporting";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        RequestReplyRetention.Validate(configuration.GetSection(ReportingOptions.Section).Get<ReportingOptions>() ?? new ReportingOptions());
        services.AddSingleton<RequestReplies>();
        services.AddSingleton<RequestReplyRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<RequestReplyRetention>());
        // The ledger snapshot of a submitted report.
        services.AddServiceClient<MeasureService.MeasureServiceClient>("measures");
        services.AddSingleton<ReportService>();
        services.AddSingleton<MonthlyReportDocument>();
        services.AddSingleton<ReportSnapshot>();
        services.AddSingleton<ReminderScan>();
        services.AddHostedService<ReminderJob>();
    }

    public override void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<TargetsDesignatedConsumer>();
        bus.AddConsumer<UnitClosedConsumer>();
        bus.AddConsumer<UnitMergedConsumer>();
    }

    public override Task SeedDemoAsync(IServiceProvider services, CancellationToken ct) => DemoReports.SeedAsync(services, ct);

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<ReportingApi>();
}
