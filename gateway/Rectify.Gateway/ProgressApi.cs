using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
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
public sealed class ProgressApi(ProgressModel model, MeasureService.MeasureServiceClient measures, ReportingService.ReportingServiceClient reporting, TimeProvider clock) : ProgressService.ProgressServiceBase
{
    /// <summary>Changes arriving within this window are sent as one update.</summary>
    private static readonly TimeSpan WatchCoalescing = TimeSpan.FromMilliseconds(50);

    private GetProgressInput Read(Caller caller, GetProgressRequest request)
    {
        var input = GetProgressInput.Parse(request, clock.Today());
        // A county sees its townships, a city its counties; never a sibling's data.
        caller.EnsureCanRead(input.Unit);
        return input;
    }

    public override Task<Progress> GetProgress(GetProgressRequest request, ServerCallContext context)
    {
        var (scope, month) = Read(context.Caller(), request);
        return Task.FromResult(model.Progress(scope, month, clock.Today()));
    }

    public override async Task WatchProgress(GetProgressRequest request, IServerStreamWriter<Progress> responseStream, ServerCallContext context)
    {
        var (scope, month) = Read(context.Caller(), request);
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(string code)
        {
            if (OrgCode.TryParse(code, out var changed, out _) && scope.IsAncestorOrSelfOf(changed)) wake.Writer.TryWrite(true);
        }
        model.Changed += OnChanged;
        try
        {
            var ct = context.CancellationToken;
            long? sent = null;
            while (!ct.IsCancellationRequested)
            {
                // Only a change of the unit's own subtree is sent: its version says whether there is one.
                var progress = model.Progress(scope, month, clock.Today());
                if (progress.Version != sent)
                {
                    await responseStream.WriteAsync(progress, ct);
                    sent = progress.Version;
                }
                await wake.Reader.ReadAsync(ct);
                await Task.Delay(WatchCoalescing, ct);
                wake.Reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The dashboard went away, or the stream's token expired or its lifetime ran out: StreamLifetimeInterceptor says which.
        }
        finally
        {
            model.Changed -= OnChanged;
        }
    }

    public override async Task<Dashboard> GetDashboard(GetProgressRequest request, ServerCallContext context)
    {
        var (scope, month) = Read(context.Caller(), request);
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
