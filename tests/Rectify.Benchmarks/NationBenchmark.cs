using System.Diagnostics;
using Grpc.Net.Client;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Rectify.Common.V1;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Storage;

namespace Rectify.Benchmarks;

/// <summary>
/// A nation on one gateway (issue 15): the generated nation (NationGenerator) in the gateway's read model, a host with
/// only the GatewayModule on it, SQLite. Memory of the model (managed heap after the start minus before, less what a
/// start on an empty read model takes), the start's time, root and province progress p99 beside the empty-call p99, and
/// freshness under a steady push of the events the gateway consumes. `-- nation --provinces N` takes the first N
/// provinces (31, the default, is the nation).
/// </summary>
public static class NationBenchmark
{
    private const double PushPerSecond = 50;
    // Early August: July's reports are in, the dashboard's current month is August.
    private static readonly DateTimeOffset Now = new(2027, 8, 3, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly Period August = new() { Year = 2027, Month = 8 };
    private static readonly Period July = new() { Year = 2027, Month = 7 };

    // Generated once a process; each run starts on its own copy (a run's pushes change the data).
    private static (string Folder, NationGenerator.Nation Nation)? _template;

    public static async Task RunAsync(string[] args)
    {
        var at = Array.IndexOf(args, "--provinces");
        var provinces = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : NationGenerator.Provinces.Length;
        if (_template is null)
        {
            var templateDir = Directory.CreateTempSubdirectory("rectify-bench-nation-template-").FullName;
            var file = Path.Combine(templateDir, "gateway.db");
            await Migrator.MigrateAsync(new Database<GatewayModule>("gateway", DbProvider.Sqlite, $"Data Source={file}"), typeof(GatewayModule).Assembly);
            var generated = await NationGenerator.WriteAsync(file, provinces);
            SqliteConnection.ClearAllPools();
            _template = (templateDir, generated);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(templateDir, recursive: true);
        }
        var (templateFolder, nation) = _template.Value;
        var levels = nation.Units.GroupBy(u => OrgCode.Parse(u.Code).Level).ToDictionary(g => g.Key, g => g.Count());
        Console.WriteLine($"Nation ({provinces} provinces): {levels[OrgLevel.Province]:N0} provinces, {levels[OrgLevel.City]:N0} cities, {levels[OrgLevel.County]:N0} counties, " +
            $"{levels[OrgLevel.Township]:N0} townships, {levels[OrgLevel.Village]:N0} villages; {nation.Targets.Count:N0} targets ({(double)nation.Targets.Count / levels[OrgLevel.Village]:P1}), " +
            $"{nation.Plans:N0} plans, {nation.Measures.Count:N0} measures, {nation.HistoryRows:N0} status-history rows, {nation.Reports.Count:N0} July reports; " +
            $"generated in {nation.Generated.TotalSeconds:F1} s ({new FileInfo(Path.Combine(templateFolder, "gateway.db")).Length / 1048576.0:N0} MiB of SQLite)");

        var settings = new Dictionary<string, string?> { ["Rectify:Gateway:RebuildWhenEmpty"] = "false" };
        // The floor of memory and start: the same host on an empty read model.
        var emptyFolder = Directory.CreateTempSubdirectory("rectify-bench-nation-empty-").FullName;
        // The first start JITs the host; the second is the floor.
        await StartAndStopAsync(emptyFolder, settings);
        var (emptyHeap, emptyStart) = await StartAndStopAsync(emptyFolder, settings);

        var folder = Directory.CreateTempSubdirectory("rectify-bench-nation-").FullName;
        try
        {
            File.Copy(Path.Combine(templateFolder, "gateway.db"), Path.Combine(folder, "gateway.db"));
            var before = Heap();
            var watch = Stopwatch.StartNew();
            var (app, grpcUrl) = await BenchHost.StartAsync(folder, [new GatewayModule()], settings, new FakeTimeProvider(Now));
            var start = watch.Elapsed.TotalSeconds;
            var heap = Heap() - before;
            var model = heap - emptyHeap;
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var rows = nation.Units.Count + nation.Targets.Count + nation.Plans + nation.Measures.Count + nation.HistoryRows + nation.Reports.Count;
            Console.WriteLine($"start: {start:F1} s (empty read model {emptyStart:F1} s; {rows:N0} rows: {(start - emptyStart) / (rows / 100_000.0):F2} s a 100k rows); " +
                $"managed heap {before / 1048576.0:N0} MiB before, +{heap / 1048576.0:N0} MiB (empty read model +{emptyHeap / 1048576.0:N0} MiB), working set {process.WorkingSet64 / 1048576.0:N0} MiB");
            Console.WriteLine($"read model: {model / 1048576.0:N0} MiB = {model / nation.Units.Count:N0} B a unit, {model / nation.Targets.Count:N0} B a target, " +
                $"{model / nation.Measures.Count:N0} B a measure (the whole model divided by each count; measures and their history are most of it)");
            Figures.Absolute("nation read model memory", model / 1048576.0, "MiB", "host on an empty read model", emptyHeap / 1048576.0, 2048, atMost: true);
            Figures.Absolute("nation load time at start", start, "s", "start on an empty read model", emptyStart, 30, atMost: true);

            using var channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
            // Minted on the host's clock (early August 2027), which checks its lifetime.
            var headers = BenchHost.Headers(OrgCode.Nation, Role.Viewer, Now);
            var gateway = new ProgressService.ProgressServiceClient(channel);
            var province = OrgCode.Parse($"{NationGenerator.Provinces[provinces / 2]:D2}0000000000");
            Task<Progress> Get(OrgCode unit, Period month) => gateway.GetProgressAsync(new GetProgressRequest { UnitCode = unit.Value, Period = month }, headers).ResponseAsync;

            var root = await Get(OrgCode.Nation, August);
            Console.WriteLine($"root, August: {root.Targets.Total:N0} targets, {root.Measures.Total:N0} measures ({root.Measures.Closed:N0} closed, {root.Measures.Completed:N0} completed, " +
                $"{root.Measures.Overdue:N0} overdue), {root.Children.Count} child rows, {root.Trend.Count}-month trend, {root.CalculateSize() / 1024.0:N0} KiB");
            var rootMs = await TimeAsync(() => Get(OrgCode.Nation, August));
            var provinceMs = await TimeAsync(() => Get(province, August));
            var empty = await Floor.EmptyCallsAsync(channel, 1, 1000, headers);
            Console.WriteLine($"progress, root: p50 {Stats.Percentile(rootMs, 50):F1} ms, p99 {Stats.Percentile(rootMs, 99):F1} ms ({rootMs.Count} calls); " +
                $"province {province}: p50 {Stats.Percentile(provinceMs, 50):F1} ms, p99 {Stats.Percentile(provinceMs, 99):F1} ms ({provinceMs.Count} calls); empty unary call {empty}");
            Figures.AtMost("nation root progress p99", Stats.Percentile(rootMs, 99), "ms", "empty-call p99", empty.P99, 5);
            Figures.AtMost("nation province progress p99", Stats.Percentile(provinceMs, 99), "ms", "empty-call p99", empty.P99, 5);

            await SteadyPushAsync(app.Services.GetRequiredService<IBus>(), nation, Get, empty);
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            Directory.Delete(emptyFolder, recursive: true);
        }
    }

    /// <summary>
    /// 50 events a second across the nation (measures completed, township reports resubmitted with one more meeting), and
    /// meanwhile probes one after another: a measure closed (August's closed count) or a township's first July report
    /// (July's received count) — counts only the probes move — from its publish until both its province's and the root's
    /// GetProgress show it. The root calls made meanwhile give the root p99 while data keep changing.
    /// </summary>
    private static async Task SteadyPushAsync(IBus bus, NationGenerator.Nation nation, Func<OrgCode, Period, Task<Progress>> get, Floor.Calls empty)
    {
        var random = new Random(15);
        var inProgress = new Queue<NationGenerator.Measure>(nation.Measures.Where(m => m.Status == MeasureStatus.InProgress).OrderBy(_ => random.Next()));
        var completed = new Queue<NationGenerator.Measure>(nation.Measures.Where(m => m.Status == MeasureStatus.Completed).OrderBy(_ => random.Next()));
        var townships = nation.Reports.Values.Where(r => r.Kind == ReportKind.Township).OrderBy(_ => random.Next()).ToList();
        var notReported = new Queue<string>(nation.TownshipsNotReported.OrderBy(_ => random.Next()));
        var revisions = new Dictionary<string, int>();

        using var stop = new CancellationTokenSource();
        var published = 0;
        var watch = Stopwatch.StartNew();
        var push = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var due = TimeSpan.FromSeconds(n / PushPerSecond) - watch.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due);
                if (n % 2 == 0 && inProgress.TryDequeue(out var measure))
                    await bus.Publish(new MeasureCompleted(Snapshot(measure, MeasureStatus.Completed, nation), Now));
                else
                {
                    var report = townships[n / 2 % townships.Count];
                    var revision = revisions[report.UnitCode] = revisions.GetValueOrDefault(report.UnitCode, report.Revision) + 1;
                    var totals = report.Totals with { MeetingsHeld = report.Totals.MeetingsHeld + revision - 1 };
                    await bus.Publish(Submission(report.UnitCode, report.CountyCode, revision, totals));
                }
                Interlocked.Increment(ref published);
            }
        });

        var freshness = new List<double>();
        var rootDuring = new List<double>();
        async Task<Progress> Root(Period month)
        {
            var start = Stopwatch.GetTimestamp();
            var progress = await get(OrgCode.Nation, month);
            rootDuring.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return progress;
        }
        // Probes for at least 10 s of pushing (500 events, so the root calls meet many changes) until 40 are done, or a minute
        // has passed with at least 10 (a slow model), and never past three minutes.
        for (var probe = 0; (freshness.Count < 40 || watch.Elapsed < TimeSpan.FromSeconds(10)) && !(watch.Elapsed > TimeSpan.FromMinutes(1) && freshness.Count >= 10) && watch.Elapsed < TimeSpan.FromMinutes(3); probe++)
        {
            if (probe % 2 == 0 && completed.TryDequeue(out var measure))
            {
                var province = OrgCode.Parse(measure.VillageCode).AncestorAt(OrgLevel.Province);
                var (provinceBefore, rootBefore) = ((await get(province, August)).Measures.Closed, (await Root(August)).Measures.Closed);
                var start = Stopwatch.GetTimestamp();
                await bus.Publish(new MeasureClosed(Snapshot(measure, MeasureStatus.Closed, nation), "验收组", Now));
                while ((await get(province, August)).Measures.Closed <= provinceBefore) { }
                while ((await Root(August)).Measures.Closed <= rootBefore) { }
                freshness.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            else if (notReported.TryDequeue(out var township))
            {
                var province = OrgCode.Parse(township).AncestorAt(OrgLevel.Province);
                var (provinceBefore, rootBefore) = ((await get(province, July)).Reports.Received, (await Root(July)).Reports.Received);
                var villages = nation.Targets.Count(t => t.ParentCode == township);
                var start = Stopwatch.GetTimestamp();
                await bus.Publish(Submission(township, township[..6] + "000000", 1, new ReportIndicators(4 * villages, villages, 0, 10 * villages, 1, 120_000L * villages)));
                while ((await get(province, July)).Reports.Received <= provinceBefore) { }
                while ((await Root(July)).Reports.Received <= rootBefore) { }
                freshness.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        await stop.CancelAsync();
        await push;
        var rate = published / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"steady push: {published:N0} events in {watch.Elapsed.TotalSeconds:F0} s ({rate:F0}/s of {PushPerSecond:F0}/s asked) besides {freshness.Count} probes; " +
            $"freshness p50 {Stats.Percentile(freshness, 50):F0} ms, p99 {Stats.Percentile(freshness, 99):F0} ms; root during the push p50 {Stats.Percentile(rootDuring, 50):F1} ms, " +
            $"p99 {Stats.Percentile(rootDuring, 99):F1} ms ({rootDuring.Count} calls)");
        Figures.Absolute("nation freshness p99 (steady push)", Stats.Percentile(freshness, 99), "ms", "empty-call p99", empty.P99, 1000, atMost: true);
        Figures.AtMost("nation root progress p99 (during the push)", Stats.Percentile(rootDuring, 99), "ms", "empty-call p99", empty.P99, 5);
    }

    private static MeasureSnapshot Snapshot(NationGenerator.Measure measure, MeasureStatus status, NationGenerator.Nation nation) =>
        new(measure.Id, measure.VillageCode + "-2027", measure.VillageCode, nation.Names[measure.VillageCode], NationGenerator.CampaignYear, "A1", "整改措施",
            ["村党组织书记"], measure.Deadline, false, status, measure.Version + 1);

    private static ReportSubmitted Submission(string township, string county, int revision, ReportIndicators totals) =>
        new(Guid.NewGuid().ToString(), ReportKind.Township, township, county, NationGenerator.ReportedPeriod, revision, Timeliness.OnTime, DateOnly.FromDateTime(Now.Date),
            totals, totals.Trainings, Now, ReportVersion.Submitted(revision));

    /// <summary>Calls timed one after another: 200 if a call is fast, fewer if it is slow (a p99 of 20 calls is their largest).</summary>
    private static async Task<List<double>> TimeAsync(Func<Task> call)
    {
        var first = Stopwatch.StartNew();
        await call();
        var count = first.ElapsedMilliseconds < 50 ? 200 : first.ElapsedMilliseconds < 500 ? 60 : 20;
        for (var i = 0; i < Math.Min(20, count / 10); i++) await call();
        var samples = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return samples;
    }

    private static async Task<(long Heap, double Seconds)> StartAndStopAsync(string folder, Dictionary<string, string?> settings)
    {
        var before = Heap();
        var watch = Stopwatch.StartNew();
        var (app, _) = await BenchHost.StartAsync(folder, [new GatewayModule()], settings, new FakeTimeProvider(Now));
        var seconds = watch.Elapsed.TotalSeconds;
        var heap = Heap() - before;
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        return (heap, seconds);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
