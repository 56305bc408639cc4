using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;

namespace Rectify.Platform.Hosting;

/// <summary>
/// Structured logs: JSON lines on the console in distributed mode (Rectify:Logging:Json; default true there, false
/// standalone), each with the trace and span ids, and for an RPC the caller's unit and the method.
/// </summary>
public static class Logging
{
    public const string Section = "Rectify:Logging";

    public static void AddRectifyLogging(this WebApplicationBuilder builder, RectifyOptions options)
    {
        var json = builder.Configuration.GetValue<bool?>($"{Section}:Json") ?? options.EffectiveMode == RunMode.Distributed;
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (json)
            builder.Logging.AddJsonConsole(console =>
            {
                console.IncludeScopes = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
    }

    /// <summary>
    /// Around every gRPC call: a logging scope with the method and the caller's unit, one line when it ends (method,
    /// status, milliseconds; category Rectify.Rpc, Information), and the rpc.server.call.duration metric.
    /// After authentication (the unit comes from the token), before everything else that logs.
    /// </summary>
    public static void UseRectifyRpcObservation(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rectify.Rpc");
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
            {
                await next(context);
                return;
            }
            var rpc = context.Request.Path.Value ?? "";
            var unit = context.User.FindFirst(TokenIssuer.OrgClaim)?.Value ?? "";
            var started = Stopwatch.GetTimestamp();
            using (logger.BeginScope(new Dictionary<string, object> { ["rpc"] = rpc, ["unit"] = unit }))
            {
                try { await next(context); }
                finally
                {
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    var status = GrpcStatus(context);
                    var (service, method) = Split(rpc);
                    Telemetry.RpcDuration.Record(elapsed.TotalSeconds,
                        new("rpc.system", "grpc"), new("rpc.service", service), new("rpc.method", method), new("rpc.grpc.status_code", status));
                    logger.LogInformation("RPC {Rpc} for {Unit}: status {Status} in {Elapsed:0.0} ms", rpc, unit, status, elapsed.TotalMilliseconds);
                }
            }
        });
    }

    /// <summary>The call's gRPC status code: a trailer, or a header for a trailers-only answer; 2 (UNKNOWN) if none was sent.</summary>
    private static int GrpcStatus(HttpContext context)
    {
        var value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"] is { Count: > 0 } trailer ? trailer.ToString()
            : context.Response.Headers["grpc-status"].ToString();
        return int.TryParse(value, out var code) ? code : 2;
    }

    private static (string Service, string Method) Split(string path)
    {
        var parts = path.Trim('/').Split('/', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : (path, "");
    }
}
