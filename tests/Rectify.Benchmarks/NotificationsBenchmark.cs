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
using Rectify.Notifications.Delivery;
using Rectify.Notifications.V1;
using Rectify.Platform;

namespace Rectify.Benchmarks;

/// <summary>
/// Notifications (issues 6 and 15): 2,000 overdue events at once, each for a village of its own township (2,000
/// townships, each with a webhook contact on one receiver on 127.0.0.1, so no two go out in one bundle), five rounds,
/// standalone, SQLite, in-memory bus: deliveries per second beside bare HTTP POSTs of the same bodies to the same
/// receiver at the sender's concurrency (HttpClient alone), event-to-delivery latency, and the working set after each
/// round after a warm-up round (flat: growth from round 1 to round 5 at most a tenth of round 1's), beside the GC heap.
/// </summary>
public static class NotificationsBenchmark
{
    private const int Events = 2_000;
    private const int Rounds = 5;

    /// <summary>2,000 townships: 10 counties of 200 each.</summary>
    private static readonly string[] Townships = Enumerable.Range(0, Events).Select(i => $"3607{1 + i / 200:D2}{101 + i % 200:D3}000").ToArray();

    private sealed class Receiver
    {
        public ConcurrentDictionary<string, long> Arrivals { get; } = new();
        /// <summary>Round 1's bodies as they arrived, replayed for the floor.</summary>
        public ConcurrentQueue<byte[]> Bodies { get; } = new();
        public volatile bool Capture;
        public volatile bool Counting = true;
    }

    public static async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-bench-notifications-").FullName;
        var receiver = new Receiver();
        var (receiverApp, receiverUrl) = await StartReceiverAsync(receiver);
        try
        {
            // No bundle window: a message alone goes out as soon as it is filed (the default 5 minutes gathers a day's occurrences per unit).
            var (app, grpcUrl) = await BenchHost.StartAsync(folder, [new NotificationsModule()],
                new() { ["Rectify:Notifications:ScheduleDigest"] = "false", ["Rectify:Notifications:BundleWindow"] = "00:00:00" });
            var parallelism = app.Services.GetRequiredService<NotificationsOptions>().Parallelism;
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            var contacts = new NotificationService.NotificationServiceClient(channel);
            var headers = BenchHost.Headers(OrgCode.Nation);
            await Parallel.ForEachAsync(Townships, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (township, ct) =>
                await contacts.AddContactAsync(new AddContactRequest { UnitCode = township, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = receiverUrl + "/hook", Secret = "bench-secret" },
                    headers, cancellationToken: ct));
            Console.WriteLine($"Notifications: {Townships.Length:N0} townships with a webhook contact each; {Events:N0} overdue events a round, {Rounds} rounds; sender parallelism {parallelism}");
            var bus = app.Services.GetRequiredService<IBus>();
            var database = app.Services.GetRequiredService<Rectify.Platform.Storage.Database<NotificationsModule>>();
            var memory = new List<long>();
            var heaps = new List<long>();
            var rates = new List<double>();
            // Round 0 warms up and is not counted: the first round in a process JIT-compiles the path and grows the thread
            // and connection pools, a one-time growth of the working set (the GC heap after a full collection stays flat
            // through every round, printed beside it), not memory kept per delivery.
            for (var round = 0; round <= Rounds; round++)
            {
                receiver.Arrivals.Clear();
                receiver.Capture = round == 1;
                var published = new ConcurrentDictionary<string, long>();
                // The process's CPU time per delivery: what the machine's load does not change, unlike the rate.
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var start = Stopwatch.GetTimestamp();
                await Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                {
                    var village = Townships[i][..9] + "201";
                    var key = $"overdue:bench-{round}-{i}:20270430:1";
                    published[key] = Stopwatch.GetTimestamp();
                    await bus.Publish(new MeasureOverdue(new MeasureSnapshot($"bench-{round}-{i}", "plan", village, "上坪村", 2027, "COLLECTIVE_ECONOMY", $"整改措施{i}", ["陈建国"], new DateOnly(2027, 4, 30), false, MeasureStatus.InProgress),
                        1, new DateOnly(2027, 5, 1), key, DateTimeOffset.UtcNow), ct);
                });
                var publishing = Stopwatch.GetElapsedTime(start);
                var deadline = DateTime.UtcNow.AddMinutes(5);
                // When the consumers had filed the round's notifications (their deliveries with them): the first stage's share of the time.
                TimeSpan? filed = null;
                while (receiver.Arrivals.Count < Events && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(20);
                    if (filed is null && await Rectify.Platform.Storage.DatabaseSessions.ReadAsync(database, s => s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM notifications")) >= (long)(round + 1) * Events)
                        filed = Stopwatch.GetElapsedTime(start);
                }
                var last = receiver.Arrivals.Values.DefaultIfEmpty(Stopwatch.GetTimestamp()).Max();
                var elapsed = Stopwatch.GetElapsedTime(start, last);
                var rate = receiver.Arrivals.Count / elapsed.TotalSeconds;
                var cpuPerDelivery = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Math.Max(1, receiver.Arrivals.Count);
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                var workingSet = Process.GetCurrentProcess().WorkingSet64;
                var heap = GC.GetTotalMemory(forceFullCollection: false);
                if (round > 0)
                {
                    rates.Add(rate);
                    memory.Add(workingSet);
                    heaps.Add(heap);
                }
                var latencies = receiver.Arrivals.Where(a => published.ContainsKey(a.Key)).Select(a => Stopwatch.GetElapsedTime(published[a.Key], a.Value).TotalMilliseconds).DefaultIfEmpty(double.NaN).ToList();
                Console.WriteLine($"round {(round == 0 ? "0 (warm-up, not counted)" : round)}: {Events:N0} overdue events published at once; {receiver.Arrivals.Count:N0} delivered to a local webhook in {elapsed.TotalSeconds:F2} s → {rate:N0} deliveries/s ({cpuPerDelivery:F2} ms of this process's CPU each, receiver included); event → delivery p50 {Stats.Percentile(latencies, 50):F0} ms, p99 {Stats.Percentile(latencies, 99):F0} ms (all at once: the tail is the queue); published in {publishing.TotalSeconds:F2} s, all filed by the consumers after {filed?.TotalSeconds.ToString("F2") ?? "?"} s; working set {workingSet / 1048576.0:F0} MiB, GC heap {heap / 1048576.0:F1} MiB, SQLite {SQLitePCL.raw.sqlite3_memory_used() / 1048576.0:F1} MiB");
            }
            receiver.Capture = false;
            receiver.Counting = false;

            // The floor: round 1's bodies POSTed again to the same receiver by HttpClient alone, at the sender's parallelism.
            var bodies = receiver.Bodies.ToArray();
            using var http = new HttpClient();
            var next = -1;
            var bare = await Floor.CallsAsync(parallelism, bodies.Length, async () =>
            {
                var body = bodies[(Interlocked.Increment(ref next) & int.MaxValue) % bodies.Length];
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(receiverUrl + "/hook", content);
                response.EnsureSuccessStatusCode();
            });
            Console.WriteLine($"bare HTTP POSTs of the same {bodies.Length:N0} bodies: {bare}");
            Console.WriteLine($"working set after each round: {string.Join(" → ", memory.Select(m => $"{m / 1048576.0:F0} MiB"))}; GC heap after a full collection: {string.Join(" → ", heaps.Select(m => $"{m / 1048576.0:F1} MiB"))}");
            Figures.Absolute("notifications to a local webhook", Stats.Median(rates), "deliveries/s", $"bare HTTP POSTs/s of the same bodies at {parallelism}", bare.PerSecond, 5000, atMost: false);
            var first = memory[0] / 1048576.0;
            Figures.Absolute("notifications memory over 5 rounds", memory[^1] / 1048576.0 - first, "MiB",
                $"none; flat = growth ≤ 10 % of round 1's working set ({first:F0} MiB); GC heap {(heaps[^1] - heaps[0]) / 1048576.0:+0.0;-0.0} MiB over the same rounds", null, Math.Round(first * 0.10), atMost: true);
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            await receiverApp.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(WebApplication App, string Url)> StartReceiverAsync(Receiver receiver)
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
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var at = Stopwatch.GetTimestamp();
            buffer.Position = 0;
            using var body = await JsonDocument.ParseAsync(buffer);
            // Every notification in the message counts, alone or in a bundle.
            if (receiver.Counting)
                foreach (var item in body.RootElement.GetProperty("items").EnumerateArray())
                    receiver.Arrivals.TryAdd(item.GetProperty("occurrenceKey").GetString()!, at);
            if (receiver.Capture) receiver.Bodies.Enqueue(buffer.ToArray());
            await context.Response.WriteAsync("ok");
        });
        await app.StartAsync();
        return (app, $"http://127.0.0.1:{port}");
    }
}
