using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Organizations.Demo;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Tests.Support;

namespace Rectify.Tests.Host;

/// <summary>
/// A government intranet system connects to nothing it was not configured for. The real executable runs with every
/// proxy variable pointing at a listener that records whatever reaches it: .NET's HttpClient sends all outbound HTTP
/// there (MassTransit's usage telemetry among it), so an empty record means nothing tried to leave.
/// </summary>
public sealed class NoPhoneHomeTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Accepts connections and records the first line of each (CONNECT host:443 …, or GET http://…).</summary>
    private sealed class RecordingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _seen = [];
        private readonly Task _loop;

        public RecordingProxy()
        {
            _listener.Start();
            _loop = Task.Run(AcceptAsync);
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public IReadOnlyList<string> Seen { get { lock (_seen) return [.. _seen]; } }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (OperationCanceledException) { return; }
                lock (_seen) _seen.Add("(connection)");
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            using var reader = new StreamReader(client.GetStream());
                            var line = await reader.ReadLineAsync(_stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
                            lock (_seen) _seen.Add(line ?? "(no request line)");
                        }
                        catch (Exception e) when (e is IOException or TimeoutException or OperationCanceledException) { }
                    }
                });
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _loop;
        }
    }

    [Fact]
    public async Task The_executable_loads_the_demo_and_scans_deadlines_without_any_outbound_request()
    {
        await using var proxy = new RecordingProxy();
        var data = Directory.CreateTempSubdirectory("rectify-egress-").FullName;
        var grpcUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "rectify.dll"), $"--Rectify:GrpcUrl={grpcUrl}", $"--Rectify:HttpUrl=http://127.0.0.1:{FreePort()}", $"--Rectify:DataDirectory={data}" },
            WorkingDirectory = data,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in new[] { "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy" })
            start.Environment[name] = proxy.Url;
        start.Environment.Remove("NO_PROXY");
        start.Environment.Remove("no_proxy");
        // Stock MassTransit would turn its usage telemetry back on from this variable.
        start.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "true";
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Direct to the host (the test's own channel ignores the proxy: only the child's traffic is under test).
            using var channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false } });
            // A standalone trial on SQLite: the README's development token is what a first user has.
            var headers = new Metadata { { "Authorization", "Bearer " + TokenIssuer.MintDevelopment("tester", OrgCode.Parse(DemoCounty.CountyCode), Role.Officer, DateTimeOffset.UtcNow, TimeSpan.FromHours(1)) } };
            var townships = await Poll.Until(async () =>
            {
                Assert.False(process.HasExited, $"the host exited:\n{output}");
                var children = await new OrganizationService.OrganizationServiceClient(channel).ListChildrenAsync(new ListChildrenRequest { Code = DemoCounty.CountyCode }, headers, DateTime.UtcNow.AddSeconds(5));
                return children.Units.Count == 12 ? children : throw new InvalidOperationException("demo not loaded yet");
            });
            Assert.Equal(12, townships.Units.Count);
            var measures = new MeasureService.MeasureServiceClient(channel);
            await Poll.Until(async () =>
            {
                var counts = await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = DemoCounty.CountyCode }, headers);
                return counts.Total.Total > 0 ? counts : throw new InvalidOperationException("demo ledger not loaded yet");
            });
            await measures.RunDeadlineScanAsync(new RunDeadlineScanRequest(), headers);
            // Let the scan's events cross the bus to notifications and the gateway, and anything scheduled after start run.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.False(process.HasExited, $"the host exited:\n{output}");
            Assert.True(proxy.Seen.Count == 0, $"outbound requests: {string.Join("; ", proxy.Seen)}\n{output}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void The_host_runs_MassTransit_without_its_usage_tracker()
    {
        // A host as the executable builds it: the tracker that would post to usage-tracking.masstransit.io is not there.
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        Rectify.Platform.Hosting.RectifyHost.AddRectify(builder, []);
        using var app = builder.Build();
        var tracker = app.Services.GetService(typeof(MassTransit.UsageTracking.IUsageTracker));
        Assert.IsType<Rectify.Platform.Messaging.NoUsageTelemetry>(tracker);
    }
}
