using Google.Protobuf;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Measures.V1;

namespace Rectify.Cli;

public static class MeasureCommands
{
    public const string Usage = """
        rectify-cli categories [UNIT_CODE] [--active]  the unit's problem categories (default: yours), where each comes from, retired or not
        rectify-cli category-add CODE NAME [--unit UNIT_CODE] [--departments 农业农村局,财政局]     a category of the unit's own (admin)
        rectify-cli category-set CODE NAME [--unit UNIT_CODE] [--departments 农业农村局,财政局]     override its name and departments for the unit's subtree (admin)
        rectify-cli category-retire CODE [--unit UNIT_CODE]      no new problems with it in the unit's subtree (admin)
        rectify-cli category-restore CODE [--unit UNIT_CODE]     offer it again in the unit's subtree (admin)
        rectify-cli plan-create FILE.json            a CreatePlanRequest in protobuf JSON (see the README)
        rectify-cli plan VILLAGE_CODE YEAR
        rectify-cli ledger SCOPE_CODE [--overdue] [--status in_progress] [--person NAME] [--category CODE] [--page-size 50]
        rectify-cli counts SCOPE_CODE [--year YEAR]
        rectify-cli measure MEASURE_ID               the measure and its history
        rectify-cli progress MEASURE_ID PERCENT [--note TEXT] [--evidence REF] [--on YYYY-MM-DD]
        rectify-cli complete MEASURE_ID [--note TEXT] [--evidence REF]
        rectify-cli close MEASURE_ID --verifier NAME [--note TEXT]
        rectify-cli reopen MEASURE_ID --reason TEXT --deadline YYYY-MM-DD
        rectify-cli export SCOPE_CODE [--format xlsx|csv] [--out FILE]
        rectify-cli scan                             run the deadline scan now
        """;

    public static async Task<IMessage?> RunAsync(Call call)
    {
        var client = new MeasureService.MeasureServiceClient(call.Channel);
        var headers = call.Headers;
        return call.Command switch
        {
            "categories" => await client.ListProblemCategoriesAsync(new ListProblemCategoriesRequest
            {
                UnitCode = call.Positional.Count > 1 ? call.Arg(1) : "", ActiveOnly = call.Options.ContainsKey("active"),
            }, headers),
            "category-add" => await client.AddProblemCategoryAsync(Definition(call), headers),
            "category-set" => await client.OverrideProblemCategoryAsync(Definition(call), headers),
            "category-retire" => await client.RetireProblemCategoryAsync(new ProblemCategoryKey { UnitCode = call.Option("unit"), Code = call.Arg(1) }, headers),
            "category-restore" => await client.RestoreProblemCategoryAsync(new ProblemCategoryKey { UnitCode = call.Option("unit"), Code = call.Arg(1) }, headers),
            "plan-create" => await client.CreatePlanAsync(JsonParser.Default.Parse<CreatePlanRequest>(await File.ReadAllTextAsync(call.Arg(1))), headers),
            "plan" => await client.GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = call.Arg(1), CampaignYear = int.Parse(call.Arg(2)) } }, headers),
            "ledger" => await client.ListMeasuresAsync(Ledger(call), headers),
            "counts" => await client.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = call.Arg(1), CampaignYear = int.Parse(call.Option("year", "0")) }, headers),
            "measure" => await client.GetMeasureAsync(new GetMeasureRequest { MeasureId = call.Arg(1) }, headers),
            "progress" => await client.RecordProgressAsync(new RecordProgressRequest
            {
                MeasureId = call.Arg(1), Percent = int.Parse(call.Arg(2)), Note = call.Option("note"), On = call.DateOption("on"), Evidence = { Evidence(call) },
            }, headers),
            "complete" => await client.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = call.Arg(1), Note = call.Option("note"), Evidence = { Evidence(call) } }, headers),
            "close" => await client.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = call.Arg(1), Verifier = call.Option("verifier"), Note = call.Option("note") }, headers),
            "reopen" => await client.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = call.Arg(1), Reason = call.Option("reason"), NewDeadline = call.DateOption("deadline") }, headers),
            "export" => await Export(client, call),
            "scan" => await client.RunDeadlineScanAsync(new RunDeadlineScanRequest(), headers),
            _ => null,
        };
    }

    /// <summary>A category's definition for a unit (the caller's own without --unit); departments separated by , or 、.</summary>
    private static DefineProblemCategoryRequest Definition(Call call) => new()
    {
        UnitCode = call.Option("unit"), Code = call.Arg(1), Name = call.Arg(2),
        HelpingDepartments = { call.Option("departments").Split([',', '，', '、'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) },
    };

    private static IEnumerable<string> Evidence(Call call) => call.Options.TryGetValue("evidence", out var reference) ? [reference] : [];

    private static ListMeasuresRequest Ledger(Call call)
    {
        var request = new ListMeasuresRequest
        {
            ScopeCode = call.Arg(1), OverdueOnly = call.Options.ContainsKey("overdue"), ResponsiblePerson = call.Option("person"),
            CategoryCode = call.Option("category"), Page = new PageRequest { PageSize = int.Parse(call.Option("page-size", "50")), PageToken = call.Option("page-token") },
        };
        if (call.Options.TryGetValue("status", out var status)) request.Statuses.Add(Enum.Parse<MeasureStatus>(status.Replace("_", ""), ignoreCase: true));
        return request;
    }

    /// <summary>Writes the streamed file and answers with its first chunk's name and type (the data itself is on disk).</summary>
    private static async Task<ExportChunk> Export(MeasureService.MeasureServiceClient client, Call call)
    {
        var format = call.Option("format", "xlsx") == "csv" ? ExportFormat.Csv : ExportFormat.Xlsx;
        using var stream = client.ExportLedger(new ExportLedgerRequest { ScopeCode = call.Arg(1), Format = format }, call.Headers);
        ExportChunk? first = null;
        var data = new MemoryStream();
        await foreach (var chunk in stream.ResponseStream.ReadAllAsync())
        {
            first ??= chunk;
            chunk.Data.WriteTo(data);
        }
        var path = call.Option("out", first?.FileName ?? "ledger");
        await File.WriteAllBytesAsync(path, data.ToArray());
        Console.Error.WriteLine($"wrote {data.Length:N0} bytes to {path}");
        return new ExportChunk { FileName = path, ContentType = first?.ContentType ?? "" };
    }
}
