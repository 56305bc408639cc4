using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Rectify.Gateway.Documents;
using Rectify.Gateway.ReadModel;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Reporting.V1;

namespace Rectify.Gateway;

/// <summary>
/// Progress for dashboards. Aggregates come from the read model (fresh by
/// events); the dashboard's live parts are read from the services over gRPC
/// with the caller's own token, deadline and cancellation, and a part that
/// cannot be read is reported as missing rather than failing the whole answer.
/// </summary>
[Authorize]
public sealed class ProgressApi(ProgressModel model, MeasureService.MeasureServiceClient measures, ReportingService.ReportingServiceClient reporting, Bulletin bulletin, TimeProvider clock) : ProgressService.ProgressServiceBase
{
    /// <summary>The request checked, and the unit in the caller's subtree: the same for the RPCs and their server-sent events (ProgressEvents).</summary>
    internal static GetProgressInput Read(Caller caller, GetProgressRequest request, TimeProvider clock)
    {
        var input = GetProgressInput.Parse(request, clock.Today());
        // A county sees its townships, a city its counties; never a sibling's data.
        caller.EnsureCanRead(input.Unit);
        return input;
    }

    public override Task<Progress> GetProgress(GetProgressRequest request, ServerCallContext context)
    {
        var (scope, month) = Read(context.Caller(), request, clock);
        return Task.FromResult(model.Progress(scope, month, clock.Today()));
    }

    public override async Task WatchProgress(GetProgressRequest request, IServerStreamWriter<Progress> responseStream, ServerCallContext context)
    {
        var (scope, month) = Read(context.Caller(), request, clock);
        try
        {
            var ct = context.CancellationToken;
            await foreach (var progress in model.Changes(scope, month, clock, ct))
                await responseStream.WriteAsync(progress, ct);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The dashboard went away, or the stream's token expired or its lifetime ran out: StreamLifetimeInterceptor says which.
        }
    }

    public override async Task<Dashboard> GetDashboard(GetProgressRequest request, ServerCallContext context)
    {
        var (scope, month) = Read(context.Caller(), request, clock);
        var dashboard = new Dashboard { Progress = model.Progress(scope, month, clock.Today()) };
        // The caller's token goes along, so each service applies its own scope check to the same person.
        var headers = new Metadata { { "Authorization", context.RequestHeaders.GetValue("authorization") ?? "" } };
        // A dashboard answers in time with what it has: each part gets at most 5 s (and never more than the incoming call's deadline).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var overdue = Part("overdue_measures", async () =>
        {
            var page = await measures.ListMeasuresAsync(new ListMeasuresRequest
            {
                ScopeCode = scope.Value, OverdueOnly = true, CampaignYear = month.Year, Page = new Common.V1.PageRequest { PageSize = 20 },
            }, headers, deadline, context.CancellationToken);
            dashboard.OverdueMeasures.AddRange(page.Measures);
        });
        var reports = Part("reports", async () =>
        {
            var list = await reporting.ListReportsAsync(new ListReportsRequest { ScopeCode = scope.Value, Period = month.ToProto() }, headers, deadline, context.CancellationToken);
            dashboard.Reports.AddRange(list.Reports);
        });
        dashboard.Parts.AddRange(await Task.WhenAll(overdue, reports));
        return dashboard;
    }

    public override Task ExportBulletin(ExportBulletinRequest request, IServerStreamWriter<Common.V1.FileChunk> responseStream, ServerCallContext context) =>
        bulletin.ExportAsync(context.Caller(), request, context.RequestHeaders.GetValue("authorization") ?? "",
            chunk => responseStream.WriteAsync(chunk, context.CancellationToken), context.CancellationToken);

    private static async Task<DashboardPart> Part(string name, Func<Task> read)
    {
        try
        {
            await read();
            return new DashboardPart { Name = name, Available = true };
        }
        catch (RpcException e)
        {
            return new DashboardPart { Name = name, Available = false, Problem = $"{e.StatusCode}: {e.Status.Detail}" };
        }
    }
}
