using System.Text.Json;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Rectify.Platform.Outbox;

namespace Rectify.Platform.Hosting;

/// <summary>Configuration section "Rectify:Health".</summary>
public sealed class HealthOptions
{
    public const string Section = "Rectify:Health";

    /// <summary>An outbox row waiting longer than this makes readiness Degraded (still serving; an alert, not a stop).</summary>
    public TimeSpan OutboxMaxAge { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>More rows than this waiting makes readiness Degraded.</summary>
    public long OutboxMaxPending { get; set; } = 10_000;
}

/// <summary>
/// Liveness and readiness. Checks tagged "live" say the process runs; checks tagged "ready" say it can do its work
/// (its databases, the bus, the outbox backlog). A check registered without either tag counts for readiness.
/// /healthz stays what it was for the compose file and the README: readiness, in one word.
/// </summary>
public static class Health
{
    public const string Live = "live";
    public const string Ready = "ready";

    public static void AddRectifyHealth(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddHealthChecks()
            .AddCheck(Live, () => HealthCheckResult.Healthy("the process runs"), tags: [Live])
            .AddCheck<OutboxHealthCheck>("outbox", tags: [Ready]);
        // The modules' database checks and MassTransit's bus check are registered elsewhere; untagged ones join readiness.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(health =>
        {
            foreach (var registration in health.Registrations)
            {
                if (!registration.Tags.Contains(Live)) registration.Tags.Add(Ready);
                // A database that does not answer is as unready as one that refuses.
                if (registration.Timeout == Timeout.InfiniteTimeSpan) registration.Timeout = TimeSpan.FromSeconds(5);
            }
        });
        // grpc.health.v1 says what readiness says.
        builder.Services.Configure<GrpcHealthChecksOptions>(grpc =>
        {
            grpc.Services.Clear();
            grpc.Services.Map("", result => result.Tags.Contains(Ready));
        });
    }

    public static void MapRectifyHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(Ready) });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(Ready), ResponseWriter = WriteJson });
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(Live), ResponseWriter = WriteJson });
    }

    /// <summary>Each check's status and description (never an exception's text), so an operator sees why.</summary>
    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}

/// <summary>Degraded while the outbox holds more, or older, rows than it should: the bus or the relay is not keeping up.</summary>
public sealed class OutboxHealthCheck(OutboxBacklog backlog, HealthOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        IReadOnlyList<OutboxBacklog.Reading> readings;
        // The database checks report an unreachable database; this one speaks only of the backlog.
        try { readings = await backlog.ReadAsync(ct); }
        catch (Exception) when (!ct.IsCancellationRequested) { return HealthCheckResult.Healthy("outbox not readable (see the database checks)"); }
        var behind = readings.Where(r => r.Pending > options.OutboxMaxPending || r.OldestAge > options.OutboxMaxAge).ToList();
        var summary = string.Join("; ", readings.Select(r => $"{r.Service}: {r.Pending} waiting, oldest {r.OldestAge.TotalSeconds:0} s"));
        return behind.Count == 0 ? HealthCheckResult.Healthy(summary) : HealthCheckResult.Degraded(summary);
    }
}
