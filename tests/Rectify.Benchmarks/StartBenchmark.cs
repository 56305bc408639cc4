using System.Diagnostics;
using System.Net;

namespace Rectify.Benchmarks;

/// <summary>
/// The standalone start (issue 15): the built host (services/Rectify.Host, bin/Release) spawned as the README's
/// `dotnet run --project services/Rectify.Host` runs it (working directory the project's, so its appsettings.json, all
/// services, SQLite, in-memory bus) with a fresh data folder and free ports: seconds from process start to /healthz
/// answering 200 Healthy, with the demo data (the default) and without; then the process's resident memory once it has
/// settled idle (demo loaded, no CPU used for two seconds). The floor is the same binary hosting only the identity
/// module without demo data: what the host itself costs (runtime, ASP.NET Core, gRPC, the bus, one SQLite database
/// migrated) whatever modules it carries.
/// </summary>
public static class StartBenchmark
{
    private sealed record Start(double HealthySeconds, double SettledSeconds, double IdleRssMb);

    public static async Task RunAsync()
    {
        var project = ProjectFolder();
        var binary = Path.Combine(project, "bin", "Release", "net10.0", OperatingSystem.IsWindows() ? "rectify.exe" : "rectify");
        if (!File.Exists(binary))
        {
            Console.WriteLine($"start: {binary} is not built (dotnet build -c Release services/Rectify.Host); skipped");
            return;
        }
        var floor = await StartAsync(binary, project, "--Rectify:Services=identity", "--Rectify:Demo=false");
        var bare = await StartAsync(binary, project, "--Rectify:Demo=false");
        var demo = await StartAsync(binary, project);
        foreach (var (what, start) in new[] { ("identity only, no demo (floor)", floor), ("all services, demo off", bare), ("all services, demo data (README)", demo) })
            Console.WriteLine($"start, {what}: healthy after {start.HealthySeconds:F2} s, settled idle after {start.SettledSeconds:F2} s, idle RSS {start.IdleRssMb:F0} MB");
        const string floorName = "same binary, identity module only, no demo";
        Figures.Absolute("standalone start to healthy", demo.HealthySeconds, "s", floorName, floor.HealthySeconds, 3, atMost: true);
        Figures.Absolute("standalone start to healthy, demo off", bare.HealthySeconds, "s", floorName, floor.HealthySeconds, 3, atMost: true);
        Figures.Absolute("standalone idle RSS", demo.IdleRssMb, "MB", floorName, floor.IdleRssMb, 200, atMost: true);
    }

    private static async Task<Start> StartAsync(string binary, string project, params string[] extra)
    {
        var data = Directory.CreateTempSubdirectory("rectify-bench-start-").FullName;
        var (grpcPort, httpPort) = BenchHost.FreePorts();
        var http = $"http://127.0.0.1:{httpPort}";
        var info = new ProcessStartInfo(binary)
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { $"--Rectify:DataDirectory={data}", $"--Rectify:GrpcUrl=http://127.0.0.1:{grpcPort}", $"--Rectify:HttpUrl={http}" }.Concat(extra))
            info.ArgumentList.Add(arg);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        // Drained, or a full pipe would stall the host's logging.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            double healthy;
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"the host exited with {process.ExitCode} before it was healthy");
                if (watch.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("the host was not healthy within 2 minutes");
                try
                {
                    using var response = await client.GetAsync(http + "/healthz");
                    if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync() == "Healthy")
                    {
                        healthy = watch.Elapsed.TotalSeconds;
                        break;
                    }
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(10);
            }
            // Settled: the demo data loaded and nothing running, seen as two seconds without a tenth of a core of CPU.
            var idleSince = watch.Elapsed;
            var cpu = process.TotalProcessorTime;
            while (watch.Elapsed - idleSince < TimeSpan.FromSeconds(2) && watch.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(500);
                process.Refresh();
                var used = process.TotalProcessorTime - cpu;
                cpu = process.TotalProcessorTime;
                if (used > TimeSpan.FromMilliseconds(50)) idleSince = watch.Elapsed;
            }
            var settled = (watch.Elapsed - TimeSpan.FromSeconds(2)).TotalSeconds;
            process.Refresh();
            return new Start(healthy, settled, process.WorkingSet64 / 1048576.0);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static string ProjectFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var project = Path.Combine(folder.FullName, "services", "Rectify.Host");
            if (File.Exists(Path.Combine(project, "Rectify.Host.csproj"))) return project;
        }
        throw new InvalidOperationException("services/Rectify.Host not found above " + AppContext.BaseDirectory);
    }
}
