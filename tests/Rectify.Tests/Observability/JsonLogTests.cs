using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Tests.Support;

namespace Rectify.Tests.Observability;

/// <summary>The real executable in distributed mode writes JSON lines, each RPC's with its trace, the caller's unit and the method.</summary>
public sealed class JsonLogTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_distributed_process_logs_json_lines_with_trace_id_unit_and_rpc()
    {
        var data = Directory.CreateTempSubdirectory("rectify-json-").FullName;
        var grpcUrl = $"http://127.0.0.1:{FreePort()}";
        const string township = "360731101000";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "rectify.dll"), "--Rectify:Mode=Distributed", "--Rectify:Services=organizations",
                $"--Rectify:GrpcUrl={grpcUrl}", $"--Rectify:HttpUrl=http://127.0.0.1:{FreePort()}", $"--Rectify:DataDirectory={data}",
                $"--Rectify:Auth:SigningKeyFile={TestIssuer.KeyFile}",
            },
            WorkingDirectory = data,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Output() { lock (lines) return string.Join("\n", lines); }
        try
        {
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            var organizations = new OrganizationService.OrganizationServiceClient(channel);
            var headers = new Metadata { { "Authorization", "Bearer " + TestHost.Token(township) } };
            // An unknown unit: NotFound is an answer like any other, and needs no data.
            var status = await Poll.Until(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException("exited:\n" + Output());
                try { await organizations.GetUnitAsync(new GetUnitRequest { Code = "360731101299" }, headers, deadline: DateTime.UtcNow.AddSeconds(5)); return StatusCode.OK; }
                catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.PermissionDenied) { return e.StatusCode; }
            }, "the distributed process to answer", TimeSpan.FromSeconds(90));

            var entry = await Poll.Until(() =>
            {
                List<string> snapshot;
                lock (lines) snapshot = [.. lines];
                // Every line on the console is one JSON object.
                var parsed = snapshot.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                var rpc = parsed.FirstOrDefault(e => e.GetProperty("Category").GetString() == "Rectify.Rpc");
                return Task.FromResult(rpc.ValueKind == JsonValueKind.Object ? rpc : throw new InvalidOperationException(Output()));
            }, "the RPC's log line");

            var scopes = entry.GetProperty("Scopes").EnumerateArray().ToList();
            string? Scope(string name) => scopes.Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(name, out _)).Select(s => s.GetProperty(name).ToString()).FirstOrDefault();
            Assert.Matches("^[0-9a-f]{32}$", Scope("TraceId"));
            Assert.Matches("^[0-9a-f]{16}$", Scope("SpanId"));
            Assert.Equal(township, Scope("unit"));
            Assert.Equal("/rectify.organizations.v1.OrganizationService/GetUnit", Scope("rpc"));
            Assert.Equal(((int)status).ToString(), entry.GetProperty("State").GetProperty("Status").ToString());
            Assert.True(entry.TryGetProperty("Timestamp", out _), entry.ToString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
