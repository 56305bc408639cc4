using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.Delivery;
using Rectify.Notifications.Inbox;
using Rectify.Platform.Hosting;

namespace Rectify.Notifications;

/// <summary>The notifications service as a module of the Rectify host.</summary>
public sealed class NotificationsModule : ServiceModule<NotificationsModule>
{
    public override string Name => "notifications";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        var options = configuration.GetSection(NotificationsOptions.Section).Get<NotificationsOptions>() ?? new NotificationsOptions();
        services.AddSingleton(options);
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton<ChannelSender>();
        services.AddSingleton<ContactService>();
        services.AddSingleton<InboxService>();
        services.AddSingleton<DigestJob>();
        services.AddHostedService(sp => sp.GetRequiredService<DigestJob>());
        services.AddHostedService<DeliveryWorker>();
        // No log lines or scope per webhook call (four lines each at Information): every attempt is recorded in delivery_attempts.
        services.AddHttpClient(DeliveryWorker.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
    }

    public override void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<MeasureDueSoonNotifier>((_, c) => c.Options<BatchOptions>(MeasureDueSoonNotifier.Configure));
        bus.AddConsumer<MeasureOverdueNotifier>((_, c) => c.Options<BatchOptions>(MeasureOverdueNotifier.Configure));
        bus.AddConsumer<MeasureEscalatedNotifier>((_, c) => c.Options<BatchOptions>(MeasureEscalatedNotifier.Configure));
        bus.AddConsumer<ReportDueSoonNotifier>((_, c) => c.Options<BatchOptions>(ReportDueSoonNotifier.Configure));
        bus.AddConsumer<ReportMissingNotifier>();
        bus.AddConsumer<ReportReturnedNotifier>();
        bus.AddConsumer<TargetsDesignatedNotifier>();
        bus.AddConsumer<AcceptanceFailedNotifier>();
        bus.AddConsumer<LookBackDueSoonNotifier>((_, c) => c.Options<BatchOptions>(LookBackDueSoonNotifier.Configure));
        bus.AddConsumer<LookBackOverdueNotifier>((_, c) => c.Options<BatchOptions>(LookBackOverdueNotifier.Configure));
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<NotificationApi>();
}
