using Google.Protobuf;
using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Gateway.V1;
using Rectify.Measures.V1;
using Rectify.Reporting.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

/// <summary>The gateway's read model for an operator: rebuild it from the services, reconcile it with them, and the services' snapshots it is rebuilt from.</summary>
public static class GatewayCommands
{
    private const string ReadModel = "rectify.gateway.v1.ReadModelService/";

    public enum SnapshotKind { Targets, Ledger, Reports }

    private static ReadModelService.ReadModelServiceClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        {
            var unit = Arg("UNIT_CODE", "the unit whose subtree to rebuild; 000000000000 for everything");
            yield return Rpc("rebuild-read-model", "rebuild the gateway's read model from the services (admin); newer events consumed meanwhile are kept",
                [ReadModel + "RebuildReadModel"], [unit], async c => await Client(c).RebuildReadModelAsync(new RebuildReadModelRequest { UnitCode = c.Get(unit) }, c.Headers));
        }
        {
            var unit = Arg("UNIT_CODE", "the unit whose subtree to compare");
            var year = Int("--year", "the campaign year (default this year)");
            yield return Rpc("reconcile", "the gateway's counts for a unit beside the services' own, figure by figure (admin); exit 3 when any differs",
                [ReadModel + "Reconcile"], [unit, year],
                async c => await Client(c).ReconcileAsync(new ReconcileRequest { UnitCode = c.Get(unit), CampaignYear = c.Get(year) }, c.Headers));
        }
        {
            var county = Arg("COUNTY_CODE", "the county");
            var period = PeriodArg();
            var output = Text("--out", "the file to write (default the name the server gives)");
            yield return Rpc("export-bulletin", "the county's monthly 通报 to the city as a Word document (.docx)", ["rectify.gateway.v1.ProgressService/ExportBulletin"], [county, period, output],
                async c => await DocumentCommands.SaveAsync(new ProgressService.ProgressServiceClient(c.Channel).ExportBulletin(
                    new ExportBulletinRequest { CountyCode = c.Get(county), Period = c.Get(period) }, c.Headers), c.Get(output), c.Cancellation));
        }
        {
            var kind = ChoiceArg<SnapshotKind>("KIND", "targets (assessment), ledger (measures: plans and measures with their history) or reports (reporting)");
            var scope = Arg("SCOPE_CODE", "the unit whose subtree; 000000000000 for everything");
            var output = Text("--out", "the file to write, one protobuf JSON object a line (default snapshot-KIND-SCOPE.jsonl)");
            yield return Rpc("snapshot", "a service's snapshot for the read model's rebuild, written to a file (admin); prints what it held",
                ["rectify.assessment.v1.AssessmentService/SnapshotTargets", "rectify.measures.v1.MeasureService/SnapshotLedger", "rectify.reporting.v1.ReportingService/SnapshotReports"],
                [kind, scope, output], async c =>
                {
                    var path = c.Get(output) is { Length: > 0 } given ? given : $"snapshot-{c.Get(kind).ToString().ToLowerInvariant()}-{c.Get(scope)}.jsonl";
                    await using var file = new StreamWriter(path);
                    var counts = new RebuildReadModelResponse();
                    async Task WriteAsync(IMessage item) => await file.WriteLineAsync(JsonFormatter.Default.Format(item));
                    switch (c.Get(kind))
                    {
                        case SnapshotKind.Targets:
                            using (var stream = new AssessmentService.AssessmentServiceClient(c.Channel).SnapshotTargets(new SnapshotTargetsRequest { ScopeCode = c.Get(scope) }, c.Headers))
                                await foreach (var target in stream.ResponseStream.ReadAllAsync()) { counts.Targets++; await WriteAsync(target); }
                            break;
                        case SnapshotKind.Ledger:
                            using (var stream = new MeasureService.MeasureServiceClient(c.Channel).SnapshotLedger(new SnapshotLedgerRequest { ScopeCode = c.Get(scope) }, c.Headers))
                                await foreach (var item in stream.ResponseStream.ReadAllAsync())
                                {
                                    if (item.Plan is not null) counts.Plans++;
                                    else { counts.Measures++; counts.StatusChanges += item.Measure.History.Count; }
                                    await WriteAsync(item);
                                }
                            break;
                        default:
                            using (var stream = new ReportingService.ReportingServiceClient(c.Channel).SnapshotReports(new SnapshotReportsRequest { ScopeCode = c.Get(scope) }, c.Headers))
                                await foreach (var report in stream.ResponseStream.ReadAllAsync()) { counts.Reports++; await WriteAsync(report); }
                            break;
                    }
                    Console.Error.WriteLine($"wrote {path}");
                    return counts;
                });
        }
    }

    /// <summary>Reconcile's exit code when a figure differs: the call succeeded, the read model does not agree.</summary>
    public const int ExitDisagrees = 3;
}
