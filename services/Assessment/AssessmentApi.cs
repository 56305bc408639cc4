using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Assessment.Acceptance;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Documents;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Documents.Uploads;
using Rectify.Platform.Identity;

namespace Rectify.Assessment;

/// <summary>The gRPC face of the assessment service.</summary>
[Authorize]
public sealed class AssessmentApi(CampaignService campaigns, PastDesignationService past, IdentificationService identification, AcceptanceService acceptance,
    TargetSnapshot snapshot, AssessmentWorkbook assessmentWorkbook, PastTargetsWorkbook pastTargetsWorkbook)
    : AssessmentService.AssessmentServiceBase
{
    public override Task<Campaign> CreateCampaign(CreateCampaignRequest request, ServerCallContext context) =>
        campaigns.CreateAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Campaign> GetCampaign(GetCampaignRequest request, ServerCallContext context) =>
        campaigns.GetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListCampaignsResponse> ListCampaigns(ListCampaignsRequest request, ServerCallContext context) =>
        campaigns.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task GetTemplate(GetTemplateRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context)
    {
        Task Write(FileChunk chunk) => responseStream.WriteAsync(chunk, context.CancellationToken);
        return request.Kind == TemplateKind.PastTargets
            ? pastTargetsWorkbook.TemplateAsync(context.Caller(), request, Write, context.CancellationToken)
            : assessmentWorkbook.TemplateAsync(context.Caller(), request, Write, context.CancellationToken);
    }

    // The kind is in the upload's first chunk: receive it, then hand it to that kind's workbook.
    public override async Task<ImportReport> ImportWorkbook(IAsyncStreamReader<ImportChunk> requestStream, ServerCallContext context)
    {
        await using var upload = await UploadedFile.ReceiveAsync(requestStream, context.CancellationToken);
        return upload.Header.Kind == TemplateKind.PastTargets
            ? await pastTargetsWorkbook.ImportAsync(context.Caller(), upload, context.CancellationToken)
            : await assessmentWorkbook.ImportAsync(context.Caller(), upload, context.CancellationToken);
    }

    public override Task<BranchAssessment> RecordAssessment(RecordAssessmentRequest request, ServerCallContext context) =>
        identification.RecordAsync(context.Caller(), request, context.CancellationToken);

    public override Task<BranchAssessment> CorrectAssessment(CorrectAssessmentRequest request, ServerCallContext context) =>
        identification.CorrectAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Ranking> GetRanking(GetRankingRequest request, ServerCallContext context) =>
        identification.RankingAsync(context.Caller(), request, context.CancellationToken);

    public override Task StreamRanking(GetRankingRequest request, IServerStreamWriter<RankingPage> responseStream, ServerCallContext context) =>
        identification.StreamRankingAsync(context.Caller(), request, page => responseStream.WriteAsync(page, context.CancellationToken), context.CancellationToken);

    public override Task<ProposalList> ProposeTargets(ProposeTargetsRequest request, ServerCallContext context) =>
        identification.ProposeAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ProposalList> ListProposals(ListProposalsRequest request, ServerCallContext context) =>
        identification.ListProposalsAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Proposal> ReviewProposal(ReviewProposalRequest request, ServerCallContext context) =>
        identification.ReviewAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Designation> ConfirmTargets(ConfirmTargetsRequest request, ServerCallContext context) =>
        identification.ConfirmAsync(context.Caller(), request, context.CancellationToken);

    public override Task<PastDesignation> RecordPastTargets(RecordPastTargetsRequest request, ServerCallContext context) =>
        past.RecordAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListTargetsResponse> ListTargets(ListTargetsRequest request, ServerCallContext context) =>
        acceptance.ListTargetsAsync(context.Caller(), request, context.CancellationToken);

    public override Task SnapshotTargets(SnapshotTargetsRequest request, IServerStreamWriter<TargetState> responseStream, ServerCallContext context) =>
        snapshot.StreamAsync(context.Caller(), request, target => responseStream.WriteAsync(target, context.CancellationToken), context.CancellationToken);

    public override Task<AcceptanceResult> RecordAcceptance(RecordAcceptanceRequest request, ServerCallContext context) =>
        acceptance.AcceptAsync(context.Caller(), request, context.CancellationToken);

    public override Task<AcceptanceResult> RecordLookBack(RecordAcceptanceRequest request, ServerCallContext context) =>
        acceptance.LookBackAsync(context.Caller(), request, context.CancellationToken);
}
