using Grpc.Core;
using Rectify.Gateway.V1;
using Rectify.Reporting.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

public static class ReportingCommands
{
    private const string Service = "rectify.reporting.v1.ReportingService/";
    private const string Gateway = "rectify.gateway.v1.ProgressService/";

    private static ReportingService.ReportingServiceClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        {
            var file = Arg("FILE", "a PushReportRequest in protobuf JSON (see the README)");
            yield return Rpc("push", "push a township's monthly report (draft, or submitted with \"submit\": true); the same client request id answers the same",
                [Service + "PushReport"], [file], async c => await Client(c).PushReportAsync(await Document<PushReportRequest>(c.Get(file)), c.Headers));
        }
        {
            var scope = Arg("SCOPE_CODE", "the county (or city)");
            var period = PeriodArg();
            yield return Rpc("reports", "every report expected under a unit: on time / late / missing / pending", [Service + "ListReports"], [scope, period],
                async c => await Client(c).ListReportsAsync(new ListReportsRequest { ScopeCode = c.Get(scope), Period = c.Get(period) }, c.Headers));
        }
        {
            var unit = Arg("UNIT_CODE", "the township (or the county, for its summary)");
            var period = PeriodArg();
            var revision = Int("--revision", "a revision (default the latest)");
            yield return Rpc("report", "a unit's report for a month", [Service + "GetReport"], [unit, period, revision],
                async c => await Client(c).GetReportAsync(new GetReportRequest { UnitCode = c.Get(unit), Period = c.Get(period), Revision = c.Get(revision) }, c.Headers));
        }
        {
            var unit = Arg("UNIT_CODE", "the township");
            var period = PeriodArg();
            yield return Rpc("accept-report", "accept a township's submitted report (reviewer)", [Service + "AcceptReport"], [unit, period],
                async c => await Client(c).AcceptReportAsync(new ReviewReportRequest { UnitCode = c.Get(unit), Period = c.Get(period) }, c.Headers));
        }
        {
            var unit = Arg("UNIT_CODE", "the township");
            var period = PeriodArg();
            var reason = Text("--reason", "what to correct", required: true);
            yield return Rpc("return-report", "return (退回) a township's report; its next push starts a new revision (reviewer)", [Service + "ReturnReport"], [unit, period, reason],
                async c => await Client(c).ReturnReportAsync(new ReviewReportRequest { UnitCode = c.Get(unit), Period = c.Get(period), Reason = c.Get(reason) }, c.Headers));
        }
        {
            var township = Arg("TOWNSHIP_CODE", "the township");
            var period = PeriodArg();
            var reason = Text("--reason", "why", required: true);
            var until = DateOpt("--until", "the last day it may submit", required: true);
            yield return Rpc("exception", "grant a township a late submission past the lock (补报) (reviewer)", [Service + "GrantException"], [township, period, reason, until],
                async c => await Client(c).GrantExceptionAsync(new GrantExceptionRequest { TownshipCode = c.Get(township), Period = c.Get(period), Reason = c.Get(reason), Until = c.Get(until) }, c.Headers));
        }
        {
            var county = Arg("COUNTY_CODE", "the county");
            var period = PeriodArg();
            var requestId = Text("--request-id", "the client request id (default cli-COUNTY-PERIOD: a retry answers the same)");
            yield return Rpc("summary", "submit the county's summary (汇总) to the city", [Service + "SubmitCountySummary"], [county, period, requestId],
                async c =>
                {
                    var p = c.Get(period);
                    return await Client(c).SubmitCountySummaryAsync(new SubmitCountySummaryRequest
                    {
                        ClientRequestId = c.Get(requestId) is { Length: > 0 } id ? id : $"cli-{c.Get(county)}-{p.Year:D4}-{p.Month:D2}", CountyCode = c.Get(county), Period = p,
                    }, c.Headers);
                });
        }
        {
            var township = Arg("TOWNSHIP_CODE", "the township");
            var period = PeriodArg();
            var output = Text("--out", "the file to write (default the name the server gives)");
            yield return Rpc("export-monthly-report", "a township's 月报 for a month as a Word document (.docx)", [Service + "ExportMonthlyReport"], [township, period, output],
                async c => await DocumentCommands.SaveAsync(Client(c).ExportMonthlyReport(new ExportMonthlyReportRequest { TownshipCode = c.Get(township), Period = c.Get(period) }, c.Headers), c.Get(output), c.Cancellation));
        }
        yield return Rpc("reminder-scan", "run the reporting reminder scan now: due soon and missing reports", [Service + "RunReminderScan"], [],
            async c => await Client(c).RunReminderScanAsync(new RunReminderScanRequest(), c.Headers));
        {
            var unit = Arg("UNIT_CODE", "the county or city (or township)");
            var period = PeriodArg();
            var dashboard = Flag("--dashboard", "with the live parts: the longest-overdue measures, the reports list");
            yield return Rpc("view", "the gateway's aggregate for a unit: targets, measures, reports, indicators, children, trend", [Gateway + "GetProgress", Gateway + "GetDashboard"],
                [unit, period, dashboard], async c =>
                {
                    var gateway = new ProgressService.ProgressServiceClient(c.Channel);
                    var request = new GetProgressRequest { UnitCode = c.Get(unit), Period = c.Get(period) };
                    return c.Get(dashboard) ? await gateway.GetDashboardAsync(request, c.Headers) : await gateway.GetProgressAsync(request, c.Headers);
                });
        }
        {
            var unit = Arg("UNIT_CODE", "the county or city (or township)");
            var period = PeriodArg();
            yield return Rpc("watch", "the aggregate, pushed again whenever anything under the unit changes (a line each on stderr; Ctrl-C ends with the last)",
                [Gateway + "WatchProgress"], [unit, period], async c =>
                {
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(c.Cancellation);
                    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
                    var gateway = new ProgressService.ProgressServiceClient(c.Channel);
                    using var stream = gateway.WatchProgress(new GetProgressRequest { UnitCode = c.Get(unit), Period = c.Get(period) }, c.Headers, cancellationToken: stop.Token);
                    var last = new Progress();
                    try
                    {
                        await foreach (var progress in stream.ResponseStream.ReadAllAsync(stop.Token))
                        {
                            last = progress;
                            Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} v{progress.Version}: reports {progress.Reports.Received}/{progress.Reports.Expected} received, measures {progress.Measures.Closed}/{progress.Measures.Total} closed, {progress.Measures.Overdue} overdue");
                        }
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled) { }
                    catch (OperationCanceledException) { }
                    return last;
                });
        }
    }
}
