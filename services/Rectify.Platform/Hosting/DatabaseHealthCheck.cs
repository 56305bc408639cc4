using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>Serving only while the service can reach its own database.</summary>
public sealed class DatabaseHealthCheck<TService>(Database<TService> database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>("SELECT 1");
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{database.Service} database unreachable", e);
        }
    }
}
