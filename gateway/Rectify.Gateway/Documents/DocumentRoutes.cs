using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Gateway.Api;
using Rectify.Gateway.V1;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using Rectify.Reporting.V1;

namespace Rectify.Gateway.Documents;

/// <summary>
/// Documents over plain HTTP for the pages and for other county systems (docs/documents.md): each route calls the
/// service that owns the data over gRPC with the caller's own token, so the service's scope rule applies to the
/// person, and streams the file through without holding it.
/// <list type="bullet">
/// <item>GET /v1/documents/templates/{kind}?scope=CODE[&amp;year=Y] — a blank template (.xlsx)</item>
/// <item>POST /v1/documents/imports/{kind}?scope=CODE[&amp;year=Y][&amp;dryRun=true][&amp;fileName=N] — the file as the body; answers the ImportReport as JSON</item>
/// <item>GET /v1/documents/ledgers/{code}[?year=Y&amp;format=csv] — the 台账 workbook</item>
/// <item>GET /v1/documents/plans/{village}/{year} — a target's 整顿方案 (.docx)</item>
/// <item>GET /v1/documents/monthly-reports/{township}/{year}/{month} — a township's 月报 (.docx)</item>
/// <item>GET /v1/documents/bulletins/{county}/{year}/{month} — the county's 通报 (.docx)</item>
/// </list>
/// {kind} is units, village-profiles, assignments, assessments, plan or past-targets.
/// </summary>
public static class DocumentRoutes
{
    /// <summary>A county's whole ledger or a large import may take longer than an ordinary call's deadline.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyDictionary<string, TemplateKind> Kinds = new Dictionary<string, TemplateKind>
    {
        ["units"] = TemplateKind.Units,
        ["village-profiles"] = TemplateKind.VillageProfiles,
        ["assignments"] = TemplateKind.Assignments,
        ["assessments"] = TemplateKind.Assessments,
        ["plan"] = TemplateKind.Plan,
        ["past-targets"] = TemplateKind.PastTargets,
    };

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static IEndpointRouteBuilder MapDocumentRoutes(this IEndpointRouteBuilder endpoints)
    {
        var documents = endpoints.MapGroup("/v1/documents").RequireAuthorization();
        documents.MapGet("/templates/{kind}", (HttpContext http, string kind, string? scope, int? year) =>
            WithKind(http, kind, k => Download(http, options => Template(http,
                new GetTemplateRequest { Kind = k, ScopeCode = scope ?? "", CampaignYear = year ?? 0 }, options))));
        documents.MapPost("/imports/{kind}", (HttpContext http, string kind, string? scope, int? year, bool? dryRun, string? fileName) =>
            WithKind(http, kind, k => ImportAsync(http, new ImportChunk
            {
                Kind = k, ScopeCode = scope ?? "", CampaignYear = year ?? 0, DryRun = dryRun ?? false, FileName = fileName ?? "upload.xlsx",
            })));
        documents.MapGet("/ledgers/{code}", (HttpContext http, string code, int? year, string? format) =>
            Download(http, options => Client<MeasureService.MeasureServiceClient>(http).ExportLedger(new ExportLedgerRequest
            {
                ScopeCode = code, CampaignYear = year ?? 0, Format = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase) ? ExportFormat.Csv : ExportFormat.Xlsx,
            }, options)));
        documents.MapGet("/plans/{village}/{year:int}", (HttpContext http, string village, int year) =>
            Download(http, options => Client<MeasureService.MeasureServiceClient>(http).ExportPlanDocument(
                new ExportPlanDocumentRequest { VillageCode = village, CampaignYear = year }, options)));
        documents.MapGet("/monthly-reports/{township}/{year:int}/{month:int}", (HttpContext http, string township, int year, int month) =>
            Download(http, options => Client<ReportingService.ReportingServiceClient>(http).ExportMonthlyReport(
                new ExportMonthlyReportRequest { TownshipCode = township, Period = new Period { Year = year, Month = month } }, options)));
        documents.MapGet("/bulletins/{county}/{year:int}/{month:int}", (HttpContext http, string county, int year, int month) =>
            Download(http, options => Client<ProgressService.ProgressServiceClient>(http).ExportBulletin(
                new ExportBulletinRequest { CountyCode = county, Period = new Period { Year = year, Month = month } }, options)));
        return endpoints;
    }

    private static async Task WithKind(HttpContext http, string kind, Func<TemplateKind, Task> then)
    {
        if (Kinds.TryGetValue(kind, out var k)) { await then(k); return; }
        await JsonRefusal.From(new RpcException(new Status(StatusCode.NotFound,
            $"No template '{kind}': the kinds are {string.Join(", ", Kinds.Keys)}."))).ExecuteAsync(http);
    }

    /// <summary>The service that owns a kind's data serves its template …</summary>
    private static AsyncServerStreamingCall<FileChunk> Template(HttpContext http, GetTemplateRequest request, CallOptions options) => request.Kind switch
    {
        TemplateKind.Units or TemplateKind.VillageProfiles or TemplateKind.Assignments => Client<OrganizationService.OrganizationServiceClient>(http).GetTemplate(request, options),
        TemplateKind.Assessments or TemplateKind.PastTargets => Client<AssessmentService.AssessmentServiceClient>(http).GetTemplate(request, options),
        _ => Client<MeasureService.MeasureServiceClient>(http).GetTemplate(request, options),
    };

    /// <summary>… and imports it.</summary>
    private static AsyncClientStreamingCall<ImportChunk, ImportReport> Import(HttpContext http, TemplateKind kind, CallOptions options) => kind switch
    {
        TemplateKind.Units or TemplateKind.VillageProfiles or TemplateKind.Assignments => Client<OrganizationService.OrganizationServiceClient>(http).ImportWorkbook(options),
        TemplateKind.Assessments or TemplateKind.PastTargets => Client<AssessmentService.AssessmentServiceClient>(http).ImportWorkbook(options),
        _ => Client<MeasureService.MeasureServiceClient>(http).ImportWorkbook(options),
    };

    private static TClient Client<TClient>(HttpContext http) where TClient : class => http.RequestServices.GetRequiredService<TClient>();

    /// <summary>The person's own token goes along: each service applies its scope rule to the same caller.</summary>
    private static CallOptions Options(HttpContext http) => new(
        headers: new Metadata { { "Authorization", http.Request.Headers.Authorization.ToString() } },
        deadline: DateTime.UtcNow + Deadline,
        cancellationToken: http.RequestAborted);

    /// <summary>Streams a file from the service to the response; a refusal before the first chunk is the JSON API's error.</summary>
    public static async Task Download(HttpContext http, Func<CallOptions, AsyncServerStreamingCall<FileChunk>> open)
    {
        try
        {
            using var call = open(Options(http));
            var first = true;
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(http.RequestAborted))
            {
                if (first)
                {
                    http.Response.ContentType = chunk.ContentType;
                    var disposition = new ContentDispositionHeaderValue("attachment");
                    disposition.SetHttpFileName(chunk.FileName);
                    http.Response.Headers.ContentDisposition = disposition.ToString();
                    first = false;
                }
                await http.Response.Body.WriteAsync(chunk.Data.Memory, http.RequestAborted);
            }
        }
        catch (RpcException e) when (!http.Response.HasStarted)
        {
            await JsonRefusal.From(e).ExecuteAsync(http);
        }
        catch (RpcException) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Cut off mid-file: the client must not keep half a workbook as if it were whole.
            http.Abort();
        }
    }

    /// <summary>Streams the request's body to the owner's ImportWorkbook in chunks; answers its ImportReport as JSON.</summary>
    private static async Task ImportAsync(HttpContext http, ImportChunk header)
    {
        try
        {
            using var call = Import(http, header.Kind, Options(http));
            try
            {
                var buffer = new byte[Rectify.Documents.FileChunks.ChunkBytes];
                var chunk = header;
                int n;
                while ((n = await http.Request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, http.RequestAborted)) > 0)
                {
                    chunk.Data = ByteString.CopyFrom(buffer, 0, n);
                    await call.RequestStream.WriteAsync(chunk, http.RequestAborted);
                    chunk = new ImportChunk();
                }
                if (chunk == header) await call.RequestStream.WriteAsync(header, http.RequestAborted);
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                // The service ended the call early (a file over the limit): its status below says why.
            }
            var report = await call.ResponseAsync;
            await Results.Content(Json.Format(report), "application/json").ExecuteAsync(http);
        }
        catch (RpcException e)
        {
            await JsonRefusal.From(e).ExecuteAsync(http);
        }
    }
}
