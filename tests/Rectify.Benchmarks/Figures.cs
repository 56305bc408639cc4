using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;

namespace Rectify.Benchmarks;

/// <summary>
/// What the machine does with no work, measured in the same run as a figure, so a target holds as a ratio on any machine.
/// </summary>
public static class Floor
{
    /// <summary>Latencies (ms) and rate of a kind of call at one concurrency.</summary>
    public sealed record Calls(double P50, double P99, double PerSecond, int Concurrency)
    {
        public override string ToString() => $"p50 {P50:F2} ms, p99 {P99:F2} ms, {PerSecond:N0} calls/s at {Concurrency}";
    }

    /// <summary>
    /// An empty unary gRPC call (floor.proto's Ping, mapped by BenchHost: no storage, no work) on <paramref name="channel"/>
    /// with <paramref name="concurrency"/> callers, after a warm-up of a tenth as many; with <paramref name="headers"/> (the
    /// measured calls' token) it is authenticated as they are, so the floor holds the platform's cost of any call.
    /// </summary>
    public static Task<Calls> EmptyCallsAsync(GrpcChannel channel, int concurrency, int calls, Metadata? headers = null)
    {
        var floor = new V1.Floor.FloorClient(channel);
        var empty = new Google.Protobuf.WellKnownTypes.Empty();
        return CallsAsync(concurrency, calls, () => floor.PingAsync(empty, headers).ResponseAsync);
    }

    /// <summary>Any call timed as the floor is: <paramref name="calls"/> in all by <paramref name="concurrency"/> callers, after a warm-up.</summary>
    public static async Task<Calls> CallsAsync(int concurrency, int calls, Func<Task> call)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(20, calls / 10)), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) => await call());
        var samples = new double[calls];
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, calls), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        });
        return new Calls(Stats.Percentile(samples, 50), Stats.Percentile(samples, 99), calls / watch.Elapsed.TotalSeconds, concurrency);
    }
}

/// <summary>
/// Every figure of a run with its floor and their ratio against the issue's target. Each is printed as it is measured;
/// with several runs, Program prints the median of each at the end (value, floor and ratio each the median of its runs).
/// </summary>
public static class Figures
{
    public sealed record Figure(string Name, double Value, string Unit, string FloorName, double? Floor, string Target, Func<double, double?, bool> Met, bool Share)
    {
        public double? Ratio => Floor is > 0 ? Value / Floor : null;
    }

    private static readonly List<List<Figure>> Runs = [[]];

    /// <summary>Starts a new run's list (Program, between runs).</summary>
    public static void NextRun() => Runs.Add([]);

    /// <summary>A figure whose ratio to its floor must stay at or under <paramref name="maxRatio"/> (a latency, a duration).</summary>
    public static void AtMost(string name, double value, string unit, string floorName, double floor, double maxRatio) =>
        Add(new Figure(name, value, unit, floorName, floor, $"≤ {maxRatio:0.##}×", (_, r) => r <= maxRatio, Share: false));

    /// <summary>A figure whose share of its floor must reach <paramref name="minShare"/> (a rate: 0.3 for 30 %).</summary>
    public static void AtLeast(string name, double value, string unit, string floorName, double floor, double minShare) =>
        Add(new Figure(name, value, unit, floorName, floor, $"≥ {minShare:P0}", (_, r) => r >= minShare, Share: true));

    /// <summary>A figure with an absolute target beside an informative floor (may be null where none applies).</summary>
    public static void Absolute(string name, double value, string unit, string floorName, double? floor, double limit, bool atMost) =>
        Add(new Figure(name, value, unit, floorName, floor, atMost ? $"≤ {limit:N0} {unit}" : $"≥ {limit:N0} {unit}",
            (v, _) => atMost ? v <= limit : v >= limit, Share: false));

    private static void Add(Figure figure)
    {
        Runs[^1].Add(figure);
        Console.WriteLine($"  » {Line(figure.Name, figure.Value, figure.Unit, figure.FloorName, figure.Floor, figure.Ratio, figure)}");
    }

    private static string Line(string name, double value, string unit, string floorName, double? floor, double? ratio, Figure like)
    {
        var floorText = floor is { } f ? $"floor ({floorName}) {Number(f)} {unit}" : $"floor: {floorName}";
        var ratioText = ratio is { } r ? like.Share ? $"{r:P0} of floor" : $"{r:F2}× floor" : "";
        var met = like.Met(value, ratio);
        return $"{name}: {Number(value)} {unit} | {floorText} | {ratioText} | target {like.Target} | {(met ? "met" : "NOT MET")}";
    }

    private static string Number(double value) => Math.Abs(value) >= 100 ? value.ToString("N0") : value.ToString("F2");

    /// <summary>The medians over the runs, figure by figure, in the order first measured.</summary>
    public static void PrintMedians()
    {
        var runs = Runs.Where(r => r.Count > 0).ToList();
        if (runs.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine($"== Figures: median of {runs.Count} run(s) ==");
        foreach (var name in runs.SelectMany(r => r).Select(f => f.Name).Distinct())
        {
            var all = runs.SelectMany(r => r).Where(f => f.Name == name).ToList();
            var first = all[0];
            var value = Stats.Median(all.Select(f => f.Value));
            var floor = first.Floor is null ? (double?)null : Stats.Median(all.Select(f => f.Floor!.Value));
            var ratio = first.Floor is null ? (double?)null : Stats.Median(all.Select(f => f.Ratio ?? double.NaN));
            var seen = all.Count > 1 ? $" [{all.Count} runs: {string.Join(", ", all.Select(f => f.Ratio is { } r ? (f.Share ? r.ToString("P0") : r.ToString("F2") + "×") : Number(f.Value)))}]" : "";
            Console.WriteLine($"{Line(name, value, first.Unit, first.FloorName, floor, ratio, first)}{seen}");
        }
    }
}
