using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Net.Client;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rectify.Events.Measures;
using Rectify.Kernel;
using Rectify.Notifications;
using Rectify.Notifications.V1;
using Rectify.Platform;

namespace Rectify.Benchmarks;

/// <summary>
/// Notifications (issue 6): 10,000 overdue events at once, delivered to a webhook receiver on 127.0.0.1
/// (standalone, SQLite, in-memory bus): deliveries per second, event-to-delivery latency, and memory before and after.
/// </summary>
public static class NotificationsBenchmark
{
    private const int Events = 10_000;
    private const string Township = "360731101000";

    public static async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-bench-notifications-").FullName;
        var arrivals = new ConcurrentDictionary<string, long>();
        var receiver = await StartReceiverAsync(arrivals);
        try
        {
            var (app, grpcUrl) = await BenchHost.StartAsync(folder, [new NotificationsModule()], new() { ["Rectify:Notifications:ScheduleDigest"] = "false" });
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            await new NotificationService.NotificationServiceClient(channel).AddContactAsync(
                new AddContactRequest { UnitCode = Township, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = receiver.Url + "/hook", Secret = "bench-secret" },
                BenchHost.Headers(OrgCode.Nation));
            GC.Collect();
            var memory = new List<long> { Process.GetCurrentProcess().WorkingSet64 };
            var bus = app.Services.GetRequiredService<IBus>();
            // Two rounds: memory that stays level from the first to the second is not growing with the events.
            for (var round = 1; round <= 2; round++)
            {
                arrivals.Clear();
                var published = new ConcurrentDictionary<string, long>();
                var start = Stopwatch.GetTimestamp();
                await Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                {
                    var key = $"overdue:bench-{round}-{i}:20270430:1";
                    published[key] = Stopwatch.GetTimestamp();
                    await bus.Publish(new MeasureOverdue(new MeasureSnapshot($"bench-{round}-{i}", "plan", "360731101201", "上坪村", 2027, "COLLECTIVE_ECONOMY", $"整改措施{i}", ["陈建国"], new DateOnly(2027, 4, 30), false, MeasureStatus.InProgress),
                        1, new DateOnly(2027, 5, 1), key, DateTimeOffset.UtcNow), ct);
                });
                var deadline = DateTime.UtcNow.AddMinutes(5);
                while (arrivals.Count < Events && DateTime.UtcNow < deadline) await Task.Delay(50);
                var elapsed = Stopwatch.GetElapsedTime(start);
                GC.Collect();
                memory.Add(Process.GetCurrentProcess().WorkingSet64);
                var latencies = arrivals.Select(a => Stopwatch.GetElapsedTime(published[a.Key], a.Value).TotalMilliseconds).ToList();
                Console.WriteLine($"round {round}: {Events:N0} overdue events published at once; {arrivals.Count:N0} delivered to a local webhook in {elapsed.TotalSeconds:F1} s → {arrivals.Count / elapsed.TotalSeconds:N0} deliveries/s; event → delivery p50 {Stats.Percentile(latencies, 50):F0} ms, p99 {Stats.Percentile(latencies, 99):F0} ms (all at once: the tail is the queue)");
            }
            Console.WriteLine($"working set: {string.Join(" → ", memory.Select(m => $"{m / 1048576.0:F0} MiB"))} (before, after round 1, after round 2)");
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            await receiver.App.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(WebApplication App, string Url)> StartReceiverAsync(ConcurrentDictionary<string, long> arrivals)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            arrivals.TryAdd(body.RootElement.GetProperty("occurrenceKey").GetString()!, Stopwatch.GetTimestamp());
            await context.Response.WriteAsync("ok");
        });
        await app.StartAsync();
        return (app, $"http://127.0.0.1:{port}");
    }
}
