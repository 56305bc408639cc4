using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Measures.Categories;
using Rectify.Measures.Deadlines;
using Rectify.Measures.Documents;
using Rectify.Measures.Evidence;
using Rectify.Measures.Ledger;
using Rectify.Measures.Plans;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;

namespace Rectify.Measures;

/// <summary>The gRPC face of the measures service; each RPC hands over to the plan, workflow, ledger or deadline code.</summary>
[Authorize]
public sealed class MeasureApi(CategoryCatalog categories, PlanService plans, MeasureWorkflow workflow, LedgerQueries ledger, LedgerExport export, DeadlineScan scan,
    LedgerSnapshot snapshot, EvidenceStore evidence, PlanDocument planDocument, PlanWorkbook planWorkbook)
    : MeasureService.MeasureServiceBase
{
    public override Task<ListProblemCategoriesResponse> ListProblemCategories(ListProblemCategoriesRequest request, ServerCallContext context) =>
        categories.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ProblemCategory> SetProblemCategory(ProblemCategory request, ServerCallContext context) =>
        categories.SetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ProblemCategory> AddProblemCategory(DefineProblemCategoryRequest request, ServerCallContext context) =>
        categories.AddAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ProblemCategory> OverrideProblemCategory(DefineProblemCategoryRequest request, ServerCallContext context) =>
        categories.OverrideAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ProblemCategory> RetireProblemCategory(ProblemCategoryKey request, ServerCallContext context) =>
        categories.RetireAsync(context.Caller(), request, retire: true, context.CancellationToken);

    public override Task<ProblemCategory> RestoreProblemCategory(ProblemCategoryKey request, ServerCallContext context) =>
        categories.RetireAsync(context.Caller(), request, retire: false, context.CancellationToken);

    public override Task<Plan> CreatePlan(CreatePlanRequest request, ServerCallContext context) =>
        plans.CreatePlanAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Plan> GetPlan(GetPlanRequest request, ServerCallContext context) =>
        plans.GetPlanAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Measure> AddMeasure(AddMeasureRequest request, ServerCallContext context) =>
        plans.AddMeasureAsync(context.Caller(), request, context.CancellationToken);

    public override Task<MeasureDetail> GetMeasure(GetMeasureRequest request, ServerCallContext context) =>
        workflow.GetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Measure> RecordProgress(RecordProgressRequest request, ServerCallContext context) =>
        workflow.RecordProgressAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Measure> CompleteMeasure(CompleteMeasureRequest request, ServerCallContext context) =>
        workflow.CompleteAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Measure> CloseMeasure(CloseMeasureRequest request, ServerCallContext context) =>
        workflow.CloseAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Measure> ReopenMeasure(ReopenMeasureRequest request, ServerCallContext context) =>
        workflow.ReopenAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListMeasuresResponse> ListMeasures(ListMeasuresRequest request, ServerCallContext context) =>
        ledger.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<LedgerCounts> GetLedgerCounts(GetLedgerCountsRequest request, ServerCallContext context) =>
        ledger.CountsAsync(context.Caller(), request, context.CancellationToken);

    public override Task ExportLedger(ExportLedgerRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context) =>
        export.ExportAsync(context.Caller(), request, chunk => responseStream.WriteAsync(chunk, context.CancellationToken), context.CancellationToken);

    public override Task ExportPlanDocument(ExportPlanDocumentRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context) =>
        planDocument.ExportAsync(context.Caller(), request, chunk => responseStream.WriteAsync(chunk, context.CancellationToken), context.CancellationToken);

    public override Task SnapshotLedger(SnapshotLedgerRequest request, IServerStreamWriter<LedgerSnapshotItem> responseStream, ServerCallContext context) =>
        snapshot.StreamAsync(context.Caller(), request, item => responseStream.WriteAsync(item, context.CancellationToken), context.CancellationToken);

    public override Task<EvidenceUpload> BeginEvidenceUpload(BeginEvidenceUploadRequest request, ServerCallContext context) =>
        evidence.BeginAsync(context.Caller(), request, context.CancellationToken);

    public override Task<EvidenceUpload> PutEvidenceChunk(PutEvidenceChunkRequest request, ServerCallContext context) =>
        evidence.PutChunkAsync(context.Caller(), request, context.CancellationToken);

    public override Task<V1.Evidence> CompleteEvidenceUpload(CompleteEvidenceUploadRequest request, ServerCallContext context) =>
        evidence.CompleteAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListEvidenceResponse> ListEvidence(ListEvidenceRequest request, ServerCallContext context) =>
        evidence.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Google.Api.HttpBody> GetEvidenceContent(GetEvidenceContentRequest request, ServerCallContext context) =>
        evidence.ContentAsync(context.Caller(), request, context.CancellationToken);

    public override Task GetTemplate(GetTemplateRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context) =>
        planWorkbook.TemplateAsync(context.Caller(), request, chunk => responseStream.WriteAsync(chunk, context.CancellationToken), context.CancellationToken);

    public override Task<ImportReport> ImportWorkbook(IAsyncStreamReader<ImportChunk> requestStream, ServerCallContext context) =>
        planWorkbook.ImportAsync(context.Caller(), requestStream, context.CancellationToken);

    public override async Task<RunDeadlineScanResponse> RunDeadlineScan(RunDeadlineScanRequest request, ServerCallContext context)
    {
        // A scan publishes for every county it holds.
        context.Caller().EnsureCountyWork("The deadline scan");
        var result = await scan.RunAsync(context.CancellationToken);
        return new RunDeadlineScanResponse
        {
            ScannedThrough = result.ScannedThrough.ToProto(), DueSoon = result.DueSoon, Overdue = result.Overdue, Escalated = result.Escalated,
        };
    }
}
