using System.Net;
using System.Security.Cryptography.X509Certificates;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>
/// Builds the process that hosts one or more service modules: endpoints,
/// identity, gRPC with the error interceptor, health and reflection, the bus
/// and each module's database. Standalone and distributed differ only in the
/// options and in which modules are passed.
/// </summary>
public static class RectifyHost
{
    /// <summary>Registers everything the given modules need on a host builder.</summary>
    public static WebApplicationBuilder AddRectify(this WebApplicationBuilder builder, IReadOnlyList<ServiceModule> modules)
    {
        var options = builder.Configuration.GetSection(RectifyOptions.Section).Get<RectifyOptions>() ?? new RectifyOptions();
        options.Validate();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ServiceEndpoints>();
        builder.Services.AddSingleton(builder.Configuration.GetSection(ReportingOptions.Section).Get<ReportingOptions>() ?? new ReportingOptions());
        builder.Services.AddSingleton<ReportingCalendar>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddRectifyLogging(options);
        builder.AddRectifyTelemetry(modules);
        builder.AddRectifyHealth();

        // Checked and loaded now, so a missing certificate or an https URL without one stops the start with its reason.
        var certificate = TlsSetup.ServerCertificate(options.Tls);
        var endpoints = TlsSetup.Endpoints(options, certificate is not null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var endpoint in endpoints) Listen(kestrel, endpoint, certificate);
        });

        AddIdentity(builder.Services, options);

        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ErrorInterceptor>();
            // Inside the error interceptor: every server stream ends when its token expires or it reaches its cap.
            grpc.Interceptors.Add<StreamLifetimeInterceptor>();
            grpc.MaxReceiveMessageSize = options.MaxRequestBytes;
            grpc.EnableDetailedErrors = false;
        })
        // JSON over HTTP/1.1 where a proto declares google.api.http routes; the rich error details must be known to serialize.
        .AddJsonTranscoding(json => json.TypeRegistry = ErrorInterceptor.DetailTypes);
        // A request that cannot be read is InvalidArgument, not Unknown (Errors/CheckedDeserialization.cs).
        builder.Services.AddCheckedDeserialization();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks();

        // The bus first: hosted services start in order, and the outbox relays the modules add must find it running.
        AddBus(builder.Services, options, modules);
        foreach (var module in modules) module.AddServices(builder.Services, builder.Configuration);
        return builder;
    }

    /// <summary>Migrates every module's database and maps the endpoints.</summary>
    public static async Task<WebApplication> BuildRectifyAsync(this WebApplicationBuilder builder, IReadOnlyList<ServiceModule> modules, CancellationToken ct = default)
    {
        var app = builder.Build();
        foreach (var module in modules)
        {
            await Migrator.MigrateAsync(module.GetDatabase(app.Services), module.Assembly, ct);
            await module.InitializeAsync(app.Services, ct);
        }

        if (app.Services.GetRequiredService<RectifyOptions>().TrustedProxies is { Count: > 0 } proxies)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            // Not the framework's default of trusting loopback: only the proxies the operator named.
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in proxies) forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            app.UseForwardedHeaders(forwarded);
        }
        app.UseRectifyMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRectifyRpcObservation();
        foreach (var module in modules) module.MapEndpoints(app);
        app.MapGrpcService<DeadLetterService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        app.MapRectifyHealth();
        // Where the gateway runs, "/" is its web pages; elsewhere a word on what this port is.
        if (modules.All(m => m.Name != "gateway"))
            app.MapGet("/", () => "Rectify: gRPC services; see the README for how to call them.");
        return app;
    }

    /// <summary>
    /// Starts listening, then loads the demo data where asked, module by module in order: a module's demo may
    /// call an earlier one over gRPC, as it would in production.
    /// </summary>
    public static async Task StartRectifyAsync(this WebApplication app, IReadOnlyList<ServiceModule> modules, CancellationToken ct = default)
    {
        await app.StartAsync(ct);
        var options = app.Services.GetRequiredService<RectifyOptions>();
        if (modules.Any(m => m.Name == "gateway") && !string.IsNullOrWhiteSpace(options.HttpUrl))
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rectify").LogInformation("The web pages are at {Url}/", options.HttpUrl.TrimEnd('/'));
        if (options.LoadsDemo)
            foreach (var module in modules)
                await module.SeedDemoAsync(app.Services, ct);
    }

    private static void Listen(KestrelServerOptions kestrel, TlsSetup.Endpoint endpoint, X509Certificate2? certificate)
    {
        var uri = endpoint.Url;
        IPAddress[] addresses = uri.Host is "localhost" ? [IPAddress.Loopback] :
            uri.Host is "*" or "+" or "0.0.0.0" ? [IPAddress.Any] :
            IPAddress.TryParse(uri.Host, out var parsed) ? [parsed] :
            throw new InvalidOperationException($"{endpoint.Setting}: listen on an IP address, localhost or 0.0.0.0, not the name '{uri.Host}'.");
        foreach (var address in addresses)
            kestrel.Listen(address, uri.Port, listen =>
            {
                listen.Protocols = endpoint.Protocols;
                if (endpoint.Tls) listen.UseHttps(certificate!);
            });
    }

    private static void AddIdentity(IServiceCollection services, RectifyOptions options)
    {
        var key = options.IssuerKeyPath is { } path ? IssuerKey.LoadOrCreate(path) : null;
        if (key is not null) services.AddSingleton(key);
        services.AddSingleton(sp => new ServiceTokens(options, sp.GetRequiredService<TimeProvider>(), key));
        services.AddSingleton<IServiceCredential>(sp => sp.GetRequiredService<ServiceTokens>());
        services.AddSingleton<SecurityEvents>();
        services.AddRectifyAuthentication(options, key);
    }

    private static void AddBus(IServiceCollection services, RectifyOptions options, IReadOnlyList<ServiceModule> modules)
    {
        var rabbitMq = options.Bus.Transport == BusTransport.RabbitMq;
        var brokerUser = rabbitMq ? options.Bus.BrokerUser() : "";
        if (rabbitMq && brokerUser.Length == 0)
            throw new InvalidOperationException(
                "Rectify:Bus:RabbitMqUri names no broker user: set Rectify:Bus:Username and Rectify:Bus:Password (each service its own user; see docs/broker.md).");
        BusDelivery.AddDeadLetters(services, options.Bus, rabbitMq, TrustedBy);
        // No phone-home: MassTransit's usage telemetry off, and its tracker replaced so no environment variable turns it on again.
        services.AddSingleton<MassTransit.UsageTracking.IUsageTracker, NoUsageTelemetry>();
        services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.SetEndpointNameFormatter(new ServiceEndpointNameFormatter(options.Bus.QueuePrefix, options.Bus.InstanceName));
            foreach (var module in modules) module.AddConsumers(bus);
            // Faults would carry the exception's stack trace to whoever listens: none are published (no Rectify code
            // consumes them). A failed message waits in a delay queue, then goes to its _error queue (docs/messaging-faults.md).
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => BusDelivery.ConfigureEndpoint(context, endpoint, options.Bus, brokerUser, rabbitMq));
            void Endpoints<T>(IBusFactoryConfigurator<T> cfg, IBusRegistrationContext context) where T : IReceiveEndpointConfigurator
            {
                // Transient failures (a locked database, a restarting peer) are retried before a message is faulted.
                cfg.UseMessageRetry(retry =>
                {
                    retry.Ignore(typeof(ForgedEventException), typeof(Errors.ValidationException), typeof(System.Runtime.Serialization.SerializationException));
                    retry.Intervals([.. options.Bus.RetrySchedule]);
                });
                cfg.ConfigureEndpoints(context);
            }
            if (rabbitMq)
                bus.UsingRabbitMq((context, cfg) =>
                {
                    ConfigureBroker(cfg, options.Bus);
                    Stamp(cfg, new PublisherStamp(brokerUser));
                    // Before the retry: a forged event is refused once, logged, and moved to the _error queue.
                    cfg.UseFilter(new PublisherCheckFilter(options.Bus.PublisherOf, brokerUser, context.GetRequiredService<ILoggerFactory>().CreateLogger("Rectify.Security")));
                    Endpoints(cfg, context);
                });
            else
                // Standalone: one process, in-memory, no broker users; nothing arrives that this process did not publish.
                bus.UsingInMemory((context, cfg) => { Stamp(cfg, new PublisherStamp(brokerUser)); Endpoints(cfg, context); });
            static void Stamp(IBusFactoryConfigurator cfg, PublisherStamp stamp)
            {
                cfg.ConfigureSend(send => send.UseFilter(stamp));
                cfg.ConfigurePublish(publish => publish.UseFilter(stamp));
            }
        });
        // The outbox relays start after the bus: publishing before it runs would only fail and back off.
        services.Configure<MassTransitHostOptions>(host => { host.WaitUntilStarted = true; host.StartTimeout = TimeSpan.FromSeconds(60); });
        services.AddLogging(logging => logging.AddFilter("MassTransit", LogLevel.Warning));
    }

    /// <summary>The broker, its user, and TLS for amqps:// (trusting a private CA if one is given).</summary>
    private static void ConfigureBroker(IRabbitMqBusFactoryConfigurator cfg, BusOptions bus)
    {
        var uri = new Uri(bus.RabbitMqUri);
        cfg.Host(uri, host =>
        {
            if (!string.IsNullOrEmpty(bus.Username)) host.Username(bus.Username);
            if (bus.Password is not null) host.Password(bus.Password);
            // MassTransit turns TLS on by itself only for port 5671; amqps:// means TLS on any port.
            if (uri.Scheme.Equals("amqps", StringComparison.OrdinalIgnoreCase))
                host.UseSsl(ssl =>
                {
                    ssl.ServerName = uri.Host;
                    ssl.Protocol = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                    if (bus.CaCertificateFile is { } caFile) ssl.CertificateValidationCallback = TrustedBy(caFile);
                });
        });
    }

    /// <summary>Accepts the broker's certificate when it chains to the given CA and names the host; nothing else is relaxed.</summary>
    internal static System.Net.Security.RemoteCertificateValidationCallback TrustedBy(string caFile)
    {
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(caFile);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null) return false;
            if (errors == System.Net.Security.SslPolicyErrors.None) return true;
            // Only an untrusted root may be overridden, and only by the configured CA; a name mismatch never is.
            if (errors != System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) return false;
            using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
            chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            return chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
        };
    }
}
