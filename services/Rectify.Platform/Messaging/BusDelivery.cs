using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Rectify.Platform.Hosting;

namespace Rectify.Platform.Messaging;

/// <summary>
/// How each consumer queue takes faults: on RabbitMQ, quorum queues, bounded concurrency, redelivery through delay
/// queues and, when that is used up, _error without stack traces as this process's user; in memory, _error counted.
/// And the dead letters' registrations: their count, health check, monitor and RPC.
/// </summary>
public static class BusDelivery
{
    public static void AddDeadLetters(IServiceCollection services, BusOptions bus, bool rabbitMq, Func<string, System.Net.Security.RemoteCertificateValidationCallback> trustedBy)
    {
        services.AddSingleton<ConsumerQueues>();
        services.AddSingleton(sp => new DeadLetters(
            sp.GetRequiredService<ConsumerQueues>(), rabbitMq ? () => ConnectionFactory(bus, trustedBy) : null, sp.GetRequiredService<ILogger<DeadLetters>>()));
        services.AddHostedService<DeadLetterMonitor>();
        services.AddHealthChecks().AddCheck<DeadLetterHealthCheck>("dead-letters", tags: ["ready"]);
    }

    /// <summary>A RabbitMQ.Client connection as the bus's: same broker, user and TLS.</summary>
    private static ConnectionFactory ConnectionFactory(BusOptions bus, Func<string, System.Net.Security.RemoteCertificateValidationCallback> trustedBy)
    {
        var uri = new Uri(bus.RabbitMqUri);
        var factory = new ConnectionFactory { Uri = uri };
        if (!string.IsNullOrEmpty(bus.Username)) factory.UserName = bus.Username;
        if (bus.Password is not null) factory.Password = bus.Password;
        if (uri.Scheme.Equals("amqps", StringComparison.OrdinalIgnoreCase))
        {
            factory.Ssl = new SslOption
            {
                Enabled = true, ServerName = uri.Host,
                Version = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            };
            if (bus.CaCertificateFile is { } caFile) factory.Ssl.CertificateValidationCallback = trustedBy(caFile);
        }
        return factory;
    }

    public static void ConfigureEndpoint(IRegistrationContext context, IReceiveEndpointConfigurator endpoint, BusOptions bus, string brokerUser, bool rabbitMq)
    {
        endpoint.PublishFaults = false;
        var queue = endpoint.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
        context.GetRequiredService<ConsumerQueues>().Add(queue);
        if (!rabbitMq)
        {
            var deadLetters = context.GetRequiredService<DeadLetters>();
            endpoint.ConfigureError(error =>
            {
                error.UseExecute(_ => deadLetters.MovedInProcess(queue));
                error.UseFilter(new MassTransit.Middleware.GenerateFaultFilter());
                error.UseFilter(new MassTransit.Middleware.ErrorTransportFilter());
            });
            return;
        }

        var rabbit = (IRabbitMqReceiveEndpointConfigurator)endpoint;
        rabbit.PrefetchCount = bus.Prefetch;
        rabbit.ConcurrentMessageLimit = bus.ConcurrentMessages;
        // A temporary queue (auto-deleted, not durable) cannot be a quorum queue.
        var temporary = endpoint.InputAddress.Query.Contains("temporary=true", StringComparison.OrdinalIgnoreCase)
            || endpoint.InputAddress.Query.Contains("durable=false", StringComparison.OrdinalIgnoreCase);
        var quorum = bus.QuorumQueues && !temporary;
        if (quorum) rabbit.SetQuorumQueue();
        var logger = context.GetRequiredService<ILoggerFactory>().CreateLogger("Rectify.Messaging");
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new ErrorQueueFilter(brokerUser));
            // A transient failure waits in a delay queue instead of _error, until the schedule is used up.
            error.UseFilter(new RedeliveryFilter(queue, bus.RedeliverySchedule, quorum, logger));
            error.UseFilter(new MassTransit.Middleware.GenerateFaultFilter());
            error.UseFilter(new MassTransit.Middleware.ErrorTransportFilter());
        });
        endpoint.ConfigureDeadLetter(skipped =>
        {
            skipped.UseFilter(new SkippedQueueFilter(brokerUser));
            skipped.UseFilter(new MassTransit.Middleware.DeadLetterTransportFilter());
        });
    }
}
