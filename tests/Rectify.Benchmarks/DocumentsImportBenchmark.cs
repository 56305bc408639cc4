using System.Diagnostics;
using ClosedXML.Excel;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Rectify.Common.V1;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.Targets;
using Rectify.Measures.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Benchmarks;

/// <summary>
/// Documents (issue 14): a township's 问题清单和整改措施 workbook of 5,000 measures (250 targets × 4 problems × 5 measures),
/// built with ClosedXML from the downloaded template, sent in chunks over real gRPC to a standalone host on SQLite. Median
/// of the dry runs (target ≤ 2 s), then the real import once (250 plans by CreatePlan's write path in one transaction)
/// and the same file again (all unchanged).
/// </summary>
public static class DocumentsImportBenchmark
{
    private const string Township = "360731101000", County = "360731000000";
    private const int Targets = 250, ProblemsPerTarget = 4, MeasuresPerProblem = 5, DryRuns = 7;
    private const int Year = 2027;

    public static async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-bench-documents-").FullName;
        try
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 1, 10, 0, 0, TimeSpan.FromHours(8)));
            var (app, grpcUrl) = await BenchHost.StartAsync(folder, [new MeasuresModule()], new() { ["Rectify:Measures:ScheduleScans"] = "false" }, clock);
            await using var _ = app;
            var villages = Enumerable.Range(1, Targets).Select(i => $"360731101{i:D3}").ToList();
            await app.Services.GetRequiredService<Database<MeasuresModule>>().WriteAsync(session => TargetRegistry.RecordAsync(session,
                new TargetsDesignated(County, Year, new DateOnly(Year, 12, 31), [.. villages.Select((v, i) => new DesignatedTarget(v, $"第{i + 1}村", "基准镇"))], clock.GetUtcNow())));

            using var channel = GrpcChannel.ForAddress(grpcUrl);
            var client = new MeasureService.MeasureServiceClient(channel);
            // The token is minted on the host's clock (2027), which checks its lifetime.
            var headers = BenchHost.Headers(OrgCode.Parse(Township), Role.Officer, clock.GetUtcNow());
            var categories = (await client.ListProblemCategoriesAsync(new ListProblemCategoriesRequest { UnitCode = Township, ActiveOnly = true }, headers)).Categories.Select(c => c.Name).ToList();

            var watch = Stopwatch.StartNew();
            var template = new MemoryStream();
            using (var call = client.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Plan, ScopeCode = Township, CampaignYear = Year }, headers))
                await foreach (var chunk in call.ResponseStream.ReadAllAsync()) chunk.Data.WriteTo(template);
            var templateMs = watch.Elapsed.TotalMilliseconds;
            var file = Fill(template.ToArray(), villages, categories);
            Console.WriteLine($"Documents import: template {template.Length / 1024.0:F0} KB in {templateMs:F0} ms; workbook of {Targets * ProblemsPerTarget * MeasuresPerProblem:N0} measures " +
                $"({Targets * ProblemsPerTarget:N0} problem rows) built in {watch.Elapsed.TotalMilliseconds - templateMs:F0} ms: {file.Length / 1024.0:F0} KB");

            var dry = new List<double>();
            ImportReport? report = null;
            await UploadAsync(client, headers, file, dryRun: true); // warm-up
            for (var run = 0; run < DryRuns; run++)
            {
                watch.Restart();
                report = await UploadAsync(client, headers, file, dryRun: true);
                dry.Add(watch.Elapsed.TotalMilliseconds);
            }
            if (report!.Problems.Count > 0) throw new InvalidOperationException("The benchmark's file has problems: " + report.Problems[0]);
            Console.WriteLine($"dry run ({DryRuns} runs): median {Stats.Median(dry):F0} ms, min {dry.Min():F0}, max {dry.Max():F0} (target ≤ 2000 ms); {report.Summary}");

            watch.Restart();
            var done = await UploadAsync(client, headers, file, dryRun: false);
            Console.WriteLine($"real import: {watch.Elapsed.TotalMilliseconds:F0} ms — {done.Summary}");
            watch.Restart();
            var again = await UploadAsync(client, headers, file, dryRun: false);
            Console.WriteLine($"same file again: {watch.Elapsed.TotalMilliseconds:F0} ms — {again.Summary}");
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static byte[] Fill(byte[] template, List<string> villages, List<string> categories)
    {
        using var workbook = new XLWorkbook(new MemoryStream(template));
        var problems = workbook.Worksheet("问题清单");
        var measures = workbook.Worksheet("整改措施");
        int p = 2, m = 2;
        foreach (var village in villages)
            for (var i = 1; i <= ProblemsPerTarget; i++)
            {
                problems.Cell(p, 1).SetValue(village);
                problems.Cell(p, 2).SetValue(i);
                problems.Cell(p, 3).SetValue(categories[(i - 1) % categories.Count]);
                problems.Cell(p++, 4).SetValue($"问题{i}：村级集体经济薄弱，带富致富能力不强，党组织凝聚力不强");
                for (var j = 1; j <= MeasuresPerProblem; j++)
                {
                    measures.Cell(m, 1).SetValue(village);
                    measures.Cell(m, 2).SetValue(i);
                    measures.Cell(m, 3).SetValue(j);
                    measures.Cell(m, 4).SetValue($"措施{i}.{j}：坚持把发展村集体经济作为建强基层党组织的主要抓手，进一步理清思路，常态化研究推进");
                    measures.Cell(m, 5).SetValue("刘文华、陈建国");
                    measures.Cell(m, 6).SetValue(new DateTime(Year, 4 + j, 28));
                    measures.Cell(m++, 7).SetValue(j == MeasuresPerProblem ? "是" : "否");
                }
            }
        var output = new MemoryStream();
        workbook.SaveAs(output);
        return output.ToArray();
    }

    private static async Task<ImportReport> UploadAsync(MeasureService.MeasureServiceClient client, Metadata headers, byte[] file, bool dryRun)
    {
        using var call = client.ImportWorkbook(headers);
        for (var offset = 0; offset < file.Length; offset += 64 * 1024)
        {
            var chunk = new ImportChunk { Data = ByteString.CopyFrom(file, offset, Math.Min(64 * 1024, file.Length - offset)) };
            if (offset == 0) (chunk.Kind, chunk.ScopeCode, chunk.CampaignYear, chunk.DryRun, chunk.FileName) = (TemplateKind.Plan, Township, Year, dryRun, "基准镇.xlsx");
            await call.RequestStream.WriteAsync(chunk);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
