using Rectify.Benchmarks;

// dotnet run -c Release --project tests/Rectify.Benchmarks -- [organizations|measures|assessment|gateway|notifications|web|documents-import|ledger-export|all]
// Prints figures; targets are stated beside them. Nothing here passes or fails.
var which = args.FirstOrDefault() ?? "all";
if (which is "organizations" or "all") await OrganizationsBenchmark.RunAsync();
if (which is "measures" or "all") await MeasuresBenchmark.RunAsync();
if (which is "assessment" or "all") await AssessmentBenchmark.RunAsync();
if (which is "gateway" or "all") await GatewayBenchmark.RunAsync();
if (which is "notifications" or "all") await NotificationsBenchmark.RunAsync();
if (which is "web" or "all") await WebBenchmark.RunAsync();
if (which is "documents-import" or "all") await DocumentsImportBenchmark.RunAsync();
if (which is "ledger-export" or "all") await LedgerExportBenchmark.RunAsync();
