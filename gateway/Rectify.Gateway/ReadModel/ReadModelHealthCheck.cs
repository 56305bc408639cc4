using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rectify.Gateway.ReadModel;

/// <summary>
/// Readiness while the empty read model is rebuilt at start: Degraded, not Unhealthy. The gateway serves what it has and
/// consumes events meanwhile; the operator sees the dashboards are incomplete until the rebuild ends.
/// </summary>
public sealed class ReadModelHealthCheck(RebuildWhenEmpty rebuild) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(rebuild.Rebuilding
            ? HealthCheckResult.Degraded("the read model is being rebuilt from the services; dashboards are incomplete until it ends")
            : HealthCheckResult.Healthy());
}
