using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Dapper;
using Rectify.Common.V1;
using Rectify.Platform.Hosting;
using Rectify.Kernel;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.V1;
using Rectify.Tests.Measures;
using Rectify.Tests.Reporting;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Observability;

/// <summary>
/// One township's report, followed as one trace through the standalone host: the RPC, the call to measures, the
/// outbox relay, the bus, and the consumers (the gateway's projection; for a return, the notification too). And the
/// metrics a Prometheus would scrape from it.
/// </summary>
public sealed class TraceTests : IAsyncLifetime
{
    private static readonly ActivitySource TestSource = new("Rectify.Tests.Trace");
    private static readonly Period March = new() { Year = 2027, Month = 3 };
    private readonly ConcurrentBag<Activity> _spans = [];
    private ActivityListener _listener = null!;
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        // The sources the host's OpenTelemetry traces, and nothing else: what a collector would receive.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source == TestSource || Telemetry.ActivitySources.Any(name =>
                name.EndsWith('*') ? source.Name.StartsWith(name[..^1], StringComparison.Ordinal) : source.Name == name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Add,
        };
        ActivitySource.AddActivityListener(_listener);
        _host = await TestHost.StartAsync(DbProvider.Sqlite,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new ReportingModule(),
             new Rectify.Gateway.GatewayModule(), new Rectify.Notifications.NotificationsModule()],
            new Dictionary<string, string?>
            {
                ["Rectify:Measures:ScheduleScans"] = "false",
                ["Rectify:Reporting:ScheduleScans"] = "false",
                ["Rectify:Telemetry:OutboxSampleEvery"] = "00:00:00.200",
            });
        SetShanghai(_host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(_host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"));
        var directory = _host.Get<Database<ReportingModule>>();
        await Poll.UntilCount(() => directory.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")), 2, "targets in reporting's directory");
        await _host.SettledAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _listener.Dispose();
    }

    private static PushReportRequest Push(string id) => new()
    {
        ClientRequestId = id, TownshipCode = TownshipA, Period = March, Submit = true,
        Villages =
        {
            new VillageEntry { VillageCode = TargetA1, WorkDone = "召开支委会", ProblemsMet = "资金到位慢", NextMonthPlan = "完成产业路硬化", Indicators = new() { MeetingsHeld = 4 } },
            new VillageEntry { VillageCode = TargetA2, WorkDone = "召开支委会", ProblemsMet = "无", NextMonthPlan = "入户走访", Indicators = new() { MeetingsHeld = 2 } },
        },
    };

    /// <summary>Runs <paramref name="work"/> as the root of a new trace, waits until the host settled, and returns the trace's spans.</summary>
    private async Task<List<Activity>> TraceAsync(string name, Func<Task> work)
    {
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity(name, ActivityKind.Client)!)
        {
            traceId = root.TraceId;
            await work();
        }
        await _host.SettledAsync();
        return [.. _spans.Where(s => s.TraceId == traceId)];
    }

    private static string Describe(IEnumerable<Activity> spans) =>
        string.Join("\n", spans.OrderBy(s => s.StartTimeUtc).Select(s => $"{s.Source.Name} | {s.Kind} | {s.DisplayName} | {s.OperationName} | {string.Join(",", s.Tags.Select(t => t.Key + "=" + t.Value))}"));

    private static bool Served(Activity span, string method) =>
        span.Source.Name == "Microsoft.AspNetCore" && span.Kind == ActivityKind.Server && span.GetTagItem("grpc.method") is string rpc && rpc.EndsWith("/" + method, StringComparison.Ordinal);

    private static bool Consumed(Activity span, string consumer) =>
        span.Source.Name == "MassTransit" && span.Kind == ActivityKind.Consumer && span.Tags.Any(t => t.Value?.Contains(consumer, StringComparison.Ordinal) == true);

    [Fact]
    public async Task A_township_push_is_one_trace_from_the_rpc_through_the_outbox_and_bus_to_the_gateway_projection()
    {
        SetShanghai(_host, new DateTime(2027, 4, 2, 9, 0, 0));
        var spans = await TraceAsync("township pushes its March report", () => _host.Reporting(TownshipA, "铁山垅镇党建办").PushReportAsync(Push("trace-1")).ResponseAsync);
        var all = Describe(spans);

        Assert.True(spans.Any(s => Served(s, "PushReport")), all);
        // The submission snapshots the ledger: a gRPC call to measures, served in the same trace.
        Assert.True(spans.Any(s => Served(s, "GetLedgerCounts")), all);
        Assert.True(spans.Any(s => s.Source.Name == "Rectify.Storage" && s.DisplayName == "db write reporting"), all);
        Assert.True(spans.Any(s => s.Source.Name == "Rectify.Outbox" && s.DisplayName == "outbox relay ReportSubmitted"), all);
        Assert.True(spans.Any(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer), all);
        Assert.True(spans.Any(s => Consumed(s, "ReportSubmittedProjection")), all);
    }

    [Fact]
    public async Task A_returned_report_is_one_trace_to_the_gateway_projection_and_the_township_notification()
    {
        SetShanghai(_host, new DateTime(2027, 4, 2, 9, 0, 0));
        await _host.Reporting(TownshipA, "铁山垅镇党建办").PushReportAsync(Push("trace-2"));
        await _host.SettledAsync();
        var spans = await TraceAsync("county returns the report", () => _host.Reporting(County, "县委组织部", Role.Reviewer)
            .ReturnReportAsync(new ReviewReportRequest { UnitCode = TownshipA, Period = March, Reason = "为民办实事数量与台账不符" }).ResponseAsync);
        var all = Describe(spans);

        Assert.True(spans.Any(s => Served(s, "ReturnReport")), all);
        Assert.True(spans.Any(s => s.Source.Name == "Rectify.Outbox" && s.DisplayName == "outbox relay ReportReturned"), all);
        Assert.True(spans.Any(s => Consumed(s, "ReportReturnedProjection")), all);
        Assert.True(spans.Any(s => Consumed(s, "ReportReturnedNotifier")), all);
        // The consumers' own writes are in the trace too.
        Assert.True(spans.Any(s => s.Source.Name == "Rectify.Storage" && s.DisplayName == "db write notifications"), all);
        Assert.True(spans.Any(s => s.Source.Name == "Rectify.Storage" && s.DisplayName == "db write gateway"), all);
    }

    [Fact]
    public async Task Metrics_answer_prometheus_text_with_rpc_and_outbox_figures()
    {
        SetShanghai(_host, new DateTime(2027, 4, 2, 9, 0, 0));
        await _host.Reporting(TownshipA, "铁山垅镇党建办").PushReportAsync(Push("metrics-1"));
        using var http = new HttpClient();
        var text = await Poll.Until(async () =>
        {
            using var response = await http.GetAsync(_host.HttpUrl + Telemetry.MetricsPath);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            // Gauges are sampled in the background: look again until the first sample is in.
            return body.Contains("rectify_outbox_pending") && body.Contains("PushReport") ? body : throw new InvalidOperationException(body);
        }, "the scrape to show the push and the outbox");
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("rpc_server_call_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("rpc_method=\"PushReport\"") && l.Contains("rpc_grpc_status_code=\"0\"") && l.Contains("rpc_service=\"rectify.reporting.v1.ReportingService\""));
        Assert.Contains(lines, l => l.StartsWith("rectify_outbox_pending{", StringComparison.Ordinal) && l.Contains("service=\"reporting\""));
        Assert.Contains(lines, l => l.StartsWith("rectify_outbox_oldest_pending_age_seconds{", StringComparison.Ordinal) && l.Contains("service=\"gateway\""));
    }
}
