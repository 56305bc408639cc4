using System.Net;
using System.Text.Json;
using Grpc.Health.V1;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Observability;

/// <summary>Liveness says the process runs; readiness says it can work: its database, the bus, the outbox.</summary>
public sealed class HealthTests
{
    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static HealthCheckResponse.Types.ServingStatus Grpc(TestHost host) =>
        new Grpc.Health.V1.Health.HealthClient(host.Channel).Check(new HealthCheckRequest()).Status;

    [Fact]
    public async Task A_service_whose_database_refuses_connections_is_live_but_not_ready_until_it_is_back()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Postgres);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, host.HttpUrl + "/healthz/ready")).Status);
        // As an operator meets it: the database stops taking connections and those it had are ended.
        await using (await DatabaseOutage.BeginAsync(host.Storage.ConnectionString("organizations")))
        {
            var (status, body) = await GetAsync(http, host.HttpUrl + "/healthz/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            using (var report = JsonDocument.Parse(body))
            {
                Assert.Equal("Unhealthy", report.RootElement.GetProperty("status").GetString());
                var organizations = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "organizations");
                Assert.Equal(("Unhealthy", "organizations database unreachable"), (organizations.GetProperty("status").GetString(), organizations.GetProperty("description").GetString()));
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(http, host.HttpUrl + "/healthz")).Status);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, Grpc(host));
            var live = await GetAsync(http, host.HttpUrl + "/healthz/live");
            Assert.Equal(HttpStatusCode.OK, live.Status);
            Assert.Contains("\"status\":\"Healthy\"", live.Body);
        }

        // Back without a restart: the next check opens a new connection.
        await Poll.Until(async () => (await GetAsync(http, host.HttpUrl + "/healthz/ready")).Status == HttpStatusCode.OK ? true : throw new InvalidOperationException("not ready"),
            "readiness once the database takes connections again");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(http, host.HttpUrl + "/healthz"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, Grpc(host));
    }

    [Fact]
    public async Task An_outbox_past_its_threshold_makes_readiness_degraded_and_says_what_waits()
    {
        // Any backlog counts as too much here, so an empty outbox is already past it.
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, settings: new Dictionary<string, string?> { ["Rectify:Health:OutboxMaxPending"] = "-1" });
        using var http = new HttpClient();
        var (status, body) = await GetAsync(http, host.HttpUrl + "/healthz/ready");
        // Degraded still serves: a slow outbox is an alert, not a reason to take the service out of rotation.
        Assert.Equal(HttpStatusCode.OK, status);
        using var report = JsonDocument.Parse(body);
        Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
        var outbox = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "outbox");
        Assert.Equal(("Degraded", "organizations: 0 waiting, oldest 0 s"), (outbox.GetProperty("status").GetString(), outbox.GetProperty("description").GetString()));
        // MassTransit's bus check is part of readiness.
        Assert.Contains(report.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString()!.StartsWith("masstransit", StringComparison.Ordinal));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, Grpc(host));
    }

    [Fact]
    public async Task A_gateway_rebuilding_its_empty_read_model_is_ready_but_degraded_and_says_so()
    {
        // Its services do not answer (nothing listens on port 1): the start-up rebuild keeps trying, as it would while they start.
        var nowhere = "http://127.0.0.1:1";
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new Rectify.Gateway.GatewayModule()], new Dictionary<string, string?>
        {
            ["Rectify:Endpoints:organizations"] = nowhere, ["Rectify:Endpoints:assessment"] = nowhere,
            ["Rectify:Endpoints:measures"] = nowhere, ["Rectify:Endpoints:reporting"] = nowhere,
        });
        using var http = new HttpClient();
        // The rebuild starts in the background once the host runs.
        var (status, body) = await Poll.Until(async () => await GetAsync(http, host.HttpUrl + "/healthz/ready") is var answer && answer.Body.Contains("rebuilt from the services")
            ? answer : throw new InvalidOperationException("no rebuild reported yet"), "readiness to report the rebuild");
        Assert.Equal(HttpStatusCode.OK, status);
        using var report = JsonDocument.Parse(body);
        var readModel = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "read-model");
        Assert.Equal("Degraded", readModel.GetProperty("status").GetString());
        Assert.Contains("rebuilt from the services", readModel.GetProperty("description").GetString());
        Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_are_not_answered_outside_the_allowed_networks()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, settings: new Dictionary<string, string?> { ["Rectify:Telemetry:MetricsAllowedNetworks:0"] = "10.0.0.0/8" });
        using var http = new HttpClient();
        // The test calls from loopback, which this host no longer allows.
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, host.HttpUrl + Telemetry.MetricsPath)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, host.HttpUrl + "/healthz/live")).Status);
    }
}
