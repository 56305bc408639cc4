using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Rectify.Platform.Outbox;

namespace Rectify.Platform.Hosting;

/// <summary>Configuration section "Rectify:Telemetry". Nothing leaves the process unless <see cref="OtlpEndpoint"/> is set.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Rectify:Telemetry";

    /// <summary>Where traces and metrics are sent by OTLP (e.g. http://otel-collector:4317). Unset: nothing is exported, no trace is recorded.</summary>
    public string? OtlpEndpoint { get; set; }
    /// <summary>"grpc" (port 4317) or "http/protobuf" (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";
    /// <summary>
    /// Who may read GET /metrics on the HTTP port, as networks (CIDR). Loopback only by default; a Prometheus in the
    /// cluster's network is named here (e.g. 10.0.0.0/8; then loopback is not allowed unless named too). Anyone else gets 404.
    /// </summary>
    public List<string> MetricsAllowedNetworks { get; set; } = [];

    /// <summary>Loopback when none is configured (a configured list replaces it rather than adding to it).</summary>
    public IReadOnlyList<string> EffectiveMetricsNetworks => MetricsAllowedNetworks.Count > 0 ? MetricsAllowedNetworks : ["127.0.0.0/8", "::1/128"];
    /// <summary>How often the outbox gauges count what waits in each service's outbox.</summary>
    public TimeSpan OutboxSampleEvery { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// OpenTelemetry for one process: traces across gRPC (server and client), the bus (MassTransit), the outbox relay and
/// the database; metrics of the RPCs, the outbox, the bus, the database pools and the runtime; exported by OTLP when
/// configured, and scraped by Prometheus at /metrics.
/// </summary>
public static class Telemetry
{
    /// <summary>The activity sources traced (names or prefixes ending in *).</summary>
    public static readonly IReadOnlyList<string> ActivitySources =
        ["Microsoft.AspNetCore", "Grpc.Net.Client", "System.Net.Http", "MassTransit", "Npgsql", "Rectify.*"];

    /// <summary>The meters exported; every Rectify meter is named "Rectify.…".</summary>
    public static readonly IReadOnlyList<string> Meters =
        ["Rectify.*", "MassTransit", "Npgsql", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime"];

    public const string MetricsPath = "/metrics";

    internal static readonly Meter RpcMeter = new("Rectify.Rpc");

    /// <summary>Every RPC's duration, by service, method and gRPC status (its count is the rate).</summary>
    internal static readonly Histogram<double> RpcDuration = RpcMeter.CreateHistogram<double>(
        "rpc.server.call.duration", unit: "s", description: "Duration of gRPC calls served, by method and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    public static void AddRectifyTelemetry(this WebApplicationBuilder builder, IReadOnlyList<ServiceModule> modules)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var allowed = options.EffectiveMetricsNetworks.Select(IPNetwork.Parse).ToList();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new OutboxBacklog(modules.Select(m => m.GetDatabase(sp)).ToList(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService(sp => new OutboxGauges(sp.GetRequiredService<OutboxBacklog>(), options.OutboxSampleEvery, sp.GetRequiredService<IMeterFactory>()));

        var otlp = options.OtlpEndpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        var protocol = options.OtlpProtocol.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        void Otlp(OtlpExporterOptions exporter)
        {
            exporter.Endpoint = otlp!;
            exporter.Protocol = protocol;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: modules.Count == 1 ? $"rectify-{modules[0].Name}" : "rectify",
                serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics =>
            {
                foreach (var meter in Meters) metrics.AddMeter(meter);
                metrics.AddPrometheusExporter();
                if (otlp is not null) metrics.AddOtlpExporter(Otlp);
            });
        // Traces only for a collector: without one nothing records spans (the W3C context still flows, so logs carry trace ids).
        if (otlp is not null)
            telemetry.WithTracing(tracing =>
            {
                foreach (var source in ActivitySources) tracing.AddSource(source);
                tracing.AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsProbe(context.Request.Path));
                tracing.AddGrpcClientInstrumentation();
                tracing.AddOtlpExporter(Otlp);
            });

        // The scrape endpoint answers only allowed networks and, where there is a separate HTTP/1.1 port, only there.
        var httpPort = HttpPort(builder.Configuration.GetSection(RectifyOptions.Section).Get<RectifyOptions>() ?? new RectifyOptions());
        builder.Services.AddSingleton(new MetricsAccess(allowed, httpPort));
    }

    /// <summary>Maps GET /metrics (Prometheus text) for the allowed networks.</summary>
    public static void UseRectifyMetrics(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<MetricsAccess>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == MetricsPath && access.Allows(context.Connection));
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/healthz") || path.StartsWithSegments(MetricsPath);

    private static int? HttpPort(RectifyOptions options) =>
        options.HttpUrl is { Length: > 0 } url && url != options.GrpcUrl && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Port : null;

    internal sealed record MetricsAccess(IReadOnlyList<IPNetwork> Networks, int? Port)
    {
        public bool Allows(ConnectionInfo connection)
        {
            if (Port is { } port && connection.LocalPort != port) return false;
            var remote = connection.RemoteIpAddress;
            if (remote is null) return false;
            if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
            return Networks.Any(n => n.Contains(remote));
        }
    }

    /// <summary>The trace context of the current work, as a W3C traceparent, to carry across the outbox.</summary>
    internal static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;
}
