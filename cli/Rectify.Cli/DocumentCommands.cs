using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

/// <summary>Templates in and documents out (docs/documents.md): each kind is served by the service that owns its data.</summary>
public static class DocumentCommands
{
    private const string Organizations = "rectify.organizations.v1.OrganizationService/";
    private const string Assessment = "rectify.assessment.v1.AssessmentService/";
    private const string Measures = "rectify.measures.v1.MeasureService/";

    public static IEnumerable<Verb> Verbs()
    {
        string[] owners = [Organizations, Assessment, Measures];
        {
            var kind = ChoiceArg<TemplateKind>("KIND", "which template");
            var scope = Arg("SCOPE_CODE", "the unit it is for (its drop-downs list that unit's villages; a village for a plan)");
            var year = Int("--year", "the campaign year (default the current one)");
            var output = Text("--out", "the file to write (default the name the server gives)");
            yield return Rpc("template", "download a blank Excel template with Chinese headers, drop-downs and instructions",
                [.. owners.Select(o => o + "GetTemplate")], [kind, scope, year, output],
                async c => await SaveAsync(Template(c, new GetTemplateRequest { Kind = c.Get(kind), ScopeCode = c.Get(scope), CampaignYear = c.Get(year) }), c.Get(output), c.Cancellation));
        }
        {
            var kind = ChoiceArg<TemplateKind>("KIND", "which template the file was filled from");
            var scope = Arg("SCOPE_CODE", "the unit the rows belong to");
            var file = Arg("FILE", "the filled template (.xlsx; a units list may also be .csv, UTF-8 or GBK)");
            var year = Int("--year", "the campaign year (default the current one)");
            var dryRun = Flag("--dry-run", "check every row and report the problems by sheet, row and column; write nothing");
            yield return Rpc("import-workbook", "import a filled template, all rows or none; the same file again changes nothing (exit code 1 on problems)",
                [.. owners.Select(o => o + "ImportWorkbook")], [kind, scope, file, year, dryRun],
                async c =>
                {
                    var path = c.Get(file);
                    if (!File.Exists(path)) throw new CliException($"{path}: no such file");
                    var header = new ImportChunk { Kind = c.Get(kind), ScopeCode = c.Get(scope), CampaignYear = c.Get(year), DryRun = c.Get(dryRun), FileName = Path.GetFileName(path) };
                    using var call = Import(c, header.Kind);
                    await using var content = File.OpenRead(path);
                    var buffer = new byte[64 * 1024];
                    var chunk = header;
                    int n;
                    try
                    {
                        while ((n = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, c.Cancellation)) > 0 || chunk == header)
                        {
                            chunk.Data = ByteString.CopyFrom(buffer, 0, n);
                            await call.RequestStream.WriteAsync(chunk, c.Cancellation);
                            chunk = new ImportChunk();
                            if (n == 0) break;
                        }
                        await call.RequestStream.CompleteAsync();
                    }
                    catch (Exception e) when (e is RpcException or InvalidOperationException)
                    {
                        // The server ended the call early (a file over its limit): its status says why.
                    }
                    var report = await call.ResponseAsync;
                    foreach (var p in report.Problems)
                        Console.Error.WriteLine($"{(p.Sheet.Length > 0 ? $"工作表「{p.Sheet}」" : "文件")}{(p.Row > 0 ? $"第{p.Row}行" : "")}{(p.Column.Length > 0 ? $"「{p.Column}」" : "")}{(p.Cell.Length > 0 ? $"({p.Cell})" : "")}：{p.Reason}");
                    Console.Error.WriteLine(report.Summary);
                    return report;
                });
        }
    }

    private static AsyncServerStreamingCall<FileChunk> Template(Ctx c, GetTemplateRequest request) => request.Kind switch
    {
        TemplateKind.Units or TemplateKind.VillageProfiles or TemplateKind.Assignments => new OrganizationService.OrganizationServiceClient(c.Channel).GetTemplate(request, c.Headers),
        TemplateKind.Assessments or TemplateKind.PastTargets => new AssessmentService.AssessmentServiceClient(c.Channel).GetTemplate(request, c.Headers),
        _ => new MeasureService.MeasureServiceClient(c.Channel).GetTemplate(request, c.Headers),
    };

    private static AsyncClientStreamingCall<ImportChunk, ImportReport> Import(Ctx c, TemplateKind kind) => kind switch
    {
        TemplateKind.Units or TemplateKind.VillageProfiles or TemplateKind.Assignments => new OrganizationService.OrganizationServiceClient(c.Channel).ImportWorkbook(c.Headers),
        TemplateKind.Assessments or TemplateKind.PastTargets => new AssessmentService.AssessmentServiceClient(c.Channel).ImportWorkbook(c.Headers),
        _ => new MeasureService.MeasureServiceClient(c.Channel).ImportWorkbook(c.Headers),
    };

    /// <summary>Writes a streamed file to <paramref name="output"/> (or the name the server gave) as it arrives; returns its first chunk's name and type.</summary>
    public static async Task<FileChunk> SaveAsync(AsyncServerStreamingCall<FileChunk> call, string output, CancellationToken ct)
    {
        using var _ = call;
        // Beside where it lands, created as any file the user saves (a temp file would keep its owner-only mode).
        var partial = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output is { Length: > 0 } ? output : "document")) ?? ".", $".rectify-{Guid.NewGuid():N}.part");
        try
        {
            FileChunk? first = null;
            long bytes = 0;
            await using (var file = File.Create(partial))
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct))
                {
                    first ??= chunk;
                    chunk.Data.WriteTo(file);
                    bytes += chunk.Data.Length;
                }
            var path = output is { Length: > 0 } ? output : first?.FileName is { Length: > 0 } named ? named : "document";
            File.Move(partial, path, overwrite: true);
            Console.Error.WriteLine($"wrote {bytes:N0} bytes to {path}");
            return new FileChunk { FileName = path, ContentType = first?.ContentType ?? "" };
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
