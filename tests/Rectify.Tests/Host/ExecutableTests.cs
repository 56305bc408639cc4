using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Rectify.Kernel;
using Rectify.Organizations.Demo;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Tests.Support;

namespace Rectify.Tests.Host;

/// <summary>
/// The README's run command as a user meets it: the real `rectify` executable,
/// started with no configuration but its ports and data folder, serves the
/// demo county on its first start.
/// </summary>
public sealed class ExecutableTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task The_standalone_executable_starts_healthy_with_the_demo_county()
    {
        var data = Directory.CreateTempSubdirectory("rectify-exe-").FullName;
        var grpcUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "rectify.dll"), $"--Rectify:GrpcUrl={grpcUrl}", $"--Rectify:HttpUrl=http://127.0.0.1:{FreePort()}", $"--Rectify:DataDirectory={data}" },
            WorkingDirectory = data,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            var health = new Health.HealthClient(channel);
            HealthCheckResponse.Types.ServingStatus status = default;
            try
            {
                status = await Poll.Until(async () =>
                {
                    if (process.HasExited) return default; // it will not serve: the assertion below shows its output
                    // Not listening yet (RpcException) or not serving yet: look again.
                    var now = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2))).Status;
                    return now == HealthCheckResponse.Types.ServingStatus.Serving ? now : throw new InvalidOperationException($"health: {now}");
                }, "the executable to serve", TimeSpan.FromSeconds(90));
            }
            catch (TimeoutException e) { lock (output) output.AppendLine(e.Message); }
            Assert.True(status == HealthCheckResponse.Types.ServingStatus.Serving, $"not serving; output:\n{output}");

            var county = new OrganizationService.OrganizationServiceClient(channel);
            // The README's trial path: a token minted with the published development key, accepted by standalone on SQLite.
            var headers = new Metadata { { "Authorization", "Bearer " + TokenIssuer.MintDevelopment("tester", OrgCode.Parse(DemoCounty.CountyCode), Role.Officer, DateTimeOffset.UtcNow, TimeSpan.FromHours(1)) } };
            // The demo loads after the process starts serving (its modules call each other over gRPC, as in production).
            await Poll.Until(async () =>
            {
                var townships = (await county.ListChildrenAsync(new ListChildrenRequest { Code = DemoCounty.CountyCode }, headers)).Units.Count;
                return townships == 12 ? townships : throw new InvalidOperationException($"{townships} townships so far");
            }, "the demo county's 12 townships", TimeSpan.FromSeconds(60));
            Assert.True(File.Exists(Path.Combine(data, "organizations.db")));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
