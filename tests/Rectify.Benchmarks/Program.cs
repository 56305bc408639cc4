using Rectify.Benchmarks;

// dotnet run -c Release --project tests/Rectify.Benchmarks -- [organizations|measures|assessment|gateway|notifications|web|documents-import|ledger-export|events|start|nation|all] [--runs N] [--provinces N]
// Prints figures, each beside its floor measured in the same run and the ratio the target is stated in; with --runs N
// (N ≥ 5 for the medians) the whole selection runs N times and the medians are printed at the end. Nothing here
// passes or fails.
var which = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "all";
var runsAt = Array.IndexOf(args, "--runs");
var runs = runsAt >= 0 && runsAt + 1 < args.Length ? int.Parse(args[runsAt + 1]) : 1;
for (var run = 1; run <= runs; run++)
{
    if (runs > 1) Console.WriteLine($"==== run {run} of {runs} ====");
    if (which is "organizations" or "all") await OrganizationsBenchmark.RunAsync();
    if (which is "measures" or "all") await MeasuresBenchmark.RunAsync();
    if (which is "assessment" or "all") await AssessmentBenchmark.RunAsync();
    if (which is "gateway" or "all") await GatewayBenchmark.RunAsync();
    if (which is "notifications" or "all") await NotificationsBenchmark.RunAsync();
    if (which is "web" or "all") await WebBenchmark.RunAsync();
    if (which is "documents-import" or "all") await DocumentsImportBenchmark.RunAsync();
    if (which is "ledger-export" or "all") await LedgerExportBenchmark.RunAsync();
    if (which is "events" or "all") await EventPathBenchmark.RunAsync();
    if (which is "start" or "all") await StartBenchmark.RunAsync();
    if (which is "nation" or "all") await NationBenchmark.RunAsync(args);
    Figures.NextRun();
}
Figures.PrintMedians();
