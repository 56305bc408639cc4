using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rectify.Common.V1;
using Rectify.Gateway.Api;
using Rectify.Gateway.ReadModel;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;

namespace Rectify.Gateway;

/// <summary>A unit's progress now, then again whenever something under it changes: the one loop behind WatchProgress and its server-sent events.</summary>
public static class ProgressWatch
{
    /// <summary>Changes arriving within this window are sent as one update.</summary>
    private static readonly TimeSpan Coalescing = TimeSpan.FromMilliseconds(50);

    /// <summary>Ends quietly when <paramref name="ct"/> is cancelled (the watcher went away, or the stream's time is up).</summary>
    public static async IAsyncEnumerable<Progress> Changes(this ProgressModel model, OrgCode scope, Month month, TimeProvider clock, [EnumeratorCancellation] CancellationToken ct)
    {
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(string code)
        {
            if (OrgCode.TryParse(code, out var changed, out _) && scope.IsAncestorOrSelfOf(changed)) wake.Writer.TryWrite(true);
        }
        model.Changed += OnChanged;
        try
        {
            long? sent = null;
            while (!ct.IsCancellationRequested)
            {
                // Only a change of the unit's own subtree is sent: its version says whether there is one.
                var progress = model.Progress(scope, month, clock.Today());
                if (progress.Version != sent)
                {
                    yield return progress;
                    sent = progress.Version;
                }
                if (!await NextChangeAsync(wake.Reader, ct)) yield break;
            }
        }
        finally
        {
            model.Changed -= OnChanged;
        }
    }

    private static async Task<bool> NextChangeAsync(ChannelReader<bool> wake, CancellationToken ct)
    {
        try
        {
            await wake.ReadAsync(ct);
            await Task.Delay(Coalescing, ct);
            wake.TryRead(out _);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>
/// GET /v1/progress/{code}/{year}/{month}/events: WatchProgress for a browser, as server-sent events (EventSource
/// cannot speak gRPC). Each event is "progress" with the Progress in proto3 JSON. The same checks as the RPC: a bearer
/// token (401 without), the unit in the caller's subtree (403 outside), a valid unit and month (400). Like every server
/// stream it ends when the caller's token expires or at Rectify:MaxStreamLifetime; the page then reconnects.
/// </summary>
public static class ProgressEvents
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static IEndpointRouteBuilder MapProgressEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/progress/{code}/{year:int}/{month:int}/events", Open).RequireAuthorization();
        return endpoints;
    }

    private static IResult Open(HttpContext http, string code, int year, int month, ProgressModel model, RectifyOptions options, TimeProvider clock)
    {
        GetProgressInput input;
        try
        {
            input = ProgressApi.Read(Caller.From(http.User), new GetProgressRequest { UnitCode = code, Period = new Period { Year = year, Month = month } }, clock);
        }
        catch (DomainException e)
        {
            return JsonRefusal.From(e);
        }
        return TypedResults.ServerSentEvents(Events(model, input, clock, StreamLifetimeInterceptor.Remaining(http.User, options, clock.GetUtcNow()), http.RequestAborted), "progress");
    }

    private static async IAsyncEnumerable<string> Events(ProgressModel model, GetProgressInput input, TimeProvider clock, TimeSpan lifetime, [EnumeratorCancellation] CancellationToken aborted)
    {
        using var timer = new CancellationTokenSource(lifetime, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timer.Token);
        await foreach (var progress in model.Changes(input.Unit, input.Period, clock, linked.Token))
            yield return Json.Format(progress);
    }
}
