using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;

namespace Rectify.Benchmarks;

/// <summary>A standalone host as a user runs it (SQLite files in a folder, in-memory bus), on loopback ports.</summary>
public static class BenchHost
{
    public static async Task<(WebApplication App, string GrpcUrl)> StartAsync(string folder, ServiceModule[] modules, Dictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var (grpcPort, httpPort) = FreePorts();
        var grpcUrl = $"http://127.0.0.1:{grpcPort}";
        var config = new Dictionary<string, string?>
        {
            ["Rectify:Demo"] = "false",
            ["Rectify:DataDirectory"] = folder,
            ["Rectify:GrpcUrl"] = grpcUrl,
            ["Rectify:HttpUrl"] = $"http://127.0.0.1:{httpPort}",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? []) config[key] = value;
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(config);
        if (clock is not null) builder.Services.AddSingleton(clock);
        builder.AddRectify(modules);
        var app = await builder.BuildRectifyAsync(modules);
        app.MapGrpcService<FloorService>();
        await app.StartRectifyAsync(modules);
        return (app, grpcUrl);
    }

    /// <summary>A bearer token minted at <paramref name="at"/>: the host's clock when it is a fake one (tokens are checked on it).</summary>
    public static Metadata Headers(OrgCode org, Role role = Role.Service, DateTimeOffset? at = null) =>
        new() { { "Authorization", "Bearer " + TokenIssuer.MintDevelopment("bench", org, role, at ?? DateTimeOffset.UtcNow, TimeSpan.FromHours(2)) } };

    /// <summary>Two free loopback ports, both held while the second is taken, so they differ (one probe after another may get the same).</summary>
    public static (int, int) FreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }
}

/// <summary>The floor's empty call (floor.proto): no storage, no work; the health service is not empty (it runs the host's checks).</summary>
public sealed class FloorService : V1.Floor.FloorBase
{
    private static readonly Task<Google.Protobuf.WellKnownTypes.Empty> Done = Task.FromResult(new Google.Protobuf.WellKnownTypes.Empty());

    public override Task<Google.Protobuf.WellKnownTypes.Empty> Ping(Google.Protobuf.WellKnownTypes.Empty request, ServerCallContext context) => Done;
}

public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The p-th percentile (0–100) of a sample, nearest rank.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }

    /// <summary>Latencies of <paramref name="calls"/> calls in milliseconds, after a tenth as many (at least 20) to warm up.</summary>
    public static async Task<List<double>> Time(int calls, Func<Task> call)
    {
        for (var i = 0; i < Math.Max(20, calls / 10); i++) await call();
        var samples = new List<double>(calls);
        for (var i = 0; i < calls; i++)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            await call();
            samples.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return samples;
    }
}
