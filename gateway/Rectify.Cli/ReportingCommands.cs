using Google.Protobuf;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Gateway.V1;
using Rectify.Reporting.V1;

namespace Rectify.Cli;

public static class ReportingCommands
{
    public const string Usage = """
        rectify-cli push FILE.json                   a township's monthly report (PushReportRequest in protobuf JSON)
        rectify-cli reports SCOPE_CODE YYYY-MM       every report expected under a unit, on time / late / missing
        rectify-cli report UNIT_CODE YYYY-MM         the latest revision of a unit's report
        rectify-cli accept-report UNIT_CODE YYYY-MM  |  return-report UNIT_CODE YYYY-MM --reason TEXT
        rectify-cli exception TOWNSHIP_CODE YYYY-MM --reason TEXT --until YYYY-MM-DD   补报
        rectify-cli summary COUNTY_CODE YYYY-MM      submit the county's summary to the city
        rectify-cli view UNIT_CODE YYYY-MM           the gateway's aggregate for a unit (with live parts: add --dashboard)
        rectify-cli watch UNIT_CODE YYYY-MM          the same, pushed again whenever something under it changes
        """;

    public static async Task<IMessage?> RunAsync(Call call)
    {
        var reporting = new ReportingService.ReportingServiceClient(call.Channel);
        var gateway = new ProgressService.ProgressServiceClient(call.Channel);
        var headers = call.Headers;
        return call.Command switch
        {
            "push" => await reporting.PushReportAsync(JsonParser.Default.Parse<PushReportRequest>(await File.ReadAllTextAsync(call.Arg(1))), headers),
            "reports" => await reporting.ListReportsAsync(new ListReportsRequest { ScopeCode = call.Arg(1), Period = Period(call.Arg(2)) }, headers),
            "report" => await reporting.GetReportAsync(new GetReportRequest { UnitCode = call.Arg(1), Period = Period(call.Arg(2)) }, headers),
            "accept-report" => await reporting.AcceptReportAsync(new ReviewReportRequest { UnitCode = call.Arg(1), Period = Period(call.Arg(2)) }, headers),
            "return-report" => await reporting.ReturnReportAsync(new ReviewReportRequest { UnitCode = call.Arg(1), Period = Period(call.Arg(2)), Reason = call.Option("reason") }, headers),
            "exception" => await reporting.GrantExceptionAsync(new GrantExceptionRequest { TownshipCode = call.Arg(1), Period = Period(call.Arg(2)), Reason = call.Option("reason"), Until = call.DateOption("until") }, headers),
            "summary" => await reporting.SubmitCountySummaryAsync(new SubmitCountySummaryRequest { ClientRequestId = $"cli-{call.Arg(1)}-{call.Arg(2)}", CountyCode = call.Arg(1), Period = Period(call.Arg(2)) }, headers),
            "view" when call.Options.ContainsKey("dashboard") => await gateway.GetDashboardAsync(new GetProgressRequest { UnitCode = call.Arg(1), Period = Period(call.Arg(2)) }, headers),
            "view" => await gateway.GetProgressAsync(new GetProgressRequest { UnitCode = call.Arg(1), Period = Period(call.Arg(2)) }, headers),
            "watch" => await Watch(gateway, call),
            _ => null,
        };
    }

    private static Period Period(string text)
    {
        var parts = text.Split('-');
        return parts.Length == 2 && int.TryParse(parts[0], out var year) && int.TryParse(parts[1], out var month)
            ? new Period { Year = year, Month = month }
            : throw new ArgumentException($"{text} is not a period YYYY-MM");
    }

    /// <summary>Prints each update as it comes; ends with the last one when interrupted.</summary>
    private static async Task<Progress> Watch(ProgressService.ProgressServiceClient gateway, Call call)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var stream = gateway.WatchProgress(new GetProgressRequest { UnitCode = call.Arg(1), Period = Period(call.Arg(2)) }, call.Headers, cancellationToken: stop.Token);
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
    }
}
