using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;

namespace Rectify.Gateway.ReadModel;

/// <summary>
/// At start, a gateway whose read model was empty (a new database, a rebuild, a restore without it; marked by
/// ReadModelRebuild.MarkIfEmptyAsync before the consumers run, and kept until a rebuild completes) rebuilds it from the
/// services in the background while it consumes events; the start is not held up. The services may not answer yet (they
/// start alongside): it tries again with a growing pause until they do; any other failure (a service without the snapshot
/// RPCs) is logged for the operator, never thrown. Rectify:Gateway:RebuildWhenEmpty=false turns it off.
/// </summary>
public sealed class RebuildWhenEmpty(ReadModelRebuild rebuild, ILogger<RebuildWhenEmpty> log) : BackgroundService
{
    private static readonly TimeSpan LongestPause = TimeSpan.FromMinutes(1);

    /// <summary>Whether the start-up rebuild is running (readiness may tell it); false once done or not needed.</summary>
    public bool Rebuilding { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!await rebuild.IsPendingAsync(stoppingToken)) return;
            Rebuilding = true;
            var pause = TimeSpan.FromSeconds(1);
            while (true)
            {
                try
                {
                    var result = await rebuild.RebuildAsync(OrgCode.Nation, stoppingToken);
                    await rebuild.ClearPendingAsync(stoppingToken);
                    log.LogInformation("The empty read model was rebuilt from the services: {Units} units, {Targets} targets, {Plans} plans, {Measures} measures, {Reports} reports, {Rows} rows written",
                        result.Units, result.Targets, result.Plans, result.Measures, result.Reports, result.RowsChanged);
                    return;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unauthenticated && !stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning("The read model's rebuild could not read the services ({Status}: {Detail}); trying again in {Pause}", e.StatusCode, e.Status.Detail, pause);
                    await Task.Delay(pause, stoppingToken);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Never out of the background service, which would stop the host: the gateway serves and consumes on; the operator rebuilds.
            log.LogError(e, "The empty read model could not be rebuilt from the services; run `rectify-cli rebuild-read-model 000000000000` once they answer");
        }
        finally
        {
            Rebuilding = false;
        }
    }
}
