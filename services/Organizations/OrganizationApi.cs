using Grpc.Core;
using Rectify.Platform.Identity;
using Microsoft.AspNetCore.Authorization;
using Rectify.Common.V1;
using Rectify.Organizations.Assignments;
using Rectify.Organizations.Documents;
using Rectify.Organizations.Profiles;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;

namespace Rectify.Organizations;

/// <summary>
/// The gRPC face of the organizations service. Each RPC validates its request,
/// checks the caller's scope, and hands over to the unit, profile or
/// assignment code; refusals are exceptions the error interceptor translates.
/// </summary>
[Authorize]
public sealed class OrganizationApi(UnitService units, UnitImporter importer, ProfileService profiles, AssignmentService assignments, OrganizationDocuments documents)
    : OrganizationService.OrganizationServiceBase
{
    public override Task<Unit> GetUnit(GetUnitRequest request, ServerCallContext context) =>
        units.GetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListUnitsResponse> ListChildren(ListChildrenRequest request, ServerCallContext context) =>
        units.ChildrenAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListUnitsResponse> ListSubtree(ListSubtreeRequest request, ServerCallContext context) =>
        units.SubtreeAsync(context.Caller(), request, context.CancellationToken);

    public override Task StreamSubtree(StreamSubtreeRequest request, IServerStreamWriter<Unit> responseStream, ServerCallContext context) =>
        units.StreamSubtreeAsync(context.Caller(), request, unit => responseStream.WriteAsync(unit, context.CancellationToken), context.CancellationToken);

    public override Task<ListUnitsResponse> SearchUnits(SearchUnitsRequest request, ServerCallContext context) =>
        units.SearchAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Unit> RegisterUnit(RegisterUnitRequest request, ServerCallContext context) =>
        units.RegisterAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Unit> RenameUnit(RenameUnitRequest request, ServerCallContext context) =>
        units.RenameAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Unit> CloseUnit(CloseUnitRequest request, ServerCallContext context) =>
        units.CloseAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Unit> MergeUnit(MergeUnitRequest request, ServerCallContext context) =>
        units.MergeAsync(context.Caller(), request, context.CancellationToken);

    public override Task<GetUnitHistoryResponse> GetUnitHistory(GetUnitHistoryRequest request, ServerCallContext context) =>
        units.HistoryAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ImportUnitsResult> ImportUnits(IAsyncStreamReader<ImportUnitRow> requestStream, ServerCallContext context) =>
        importer.ImportAsync(context.Caller(), requestStream.ReadAllAsync(context.CancellationToken), context.CancellationToken);

    public override Task<PartyOrganizationProfile> GetProfile(GetProfileRequest request, ServerCallContext context) =>
        profiles.GetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<PartyOrganizationProfile> SetProfile(SetProfileRequest request, ServerCallContext context) =>
        profiles.SetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListAssignmentsResponse> ListAssignments(ListAssignmentsRequest request, ServerCallContext context) =>
        assignments.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Assignment> AddAssignment(AddAssignmentRequest request, ServerCallContext context) =>
        assignments.AddAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Assignment> RemoveAssignment(RemoveAssignmentRequest request, ServerCallContext context) =>
        assignments.RemoveAsync(context.Caller(), request, context.CancellationToken);

    public override Task GetTemplate(GetTemplateRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context) =>
        documents.TemplateAsync(context.Caller(), request, chunk => responseStream.WriteAsync(chunk, context.CancellationToken), context.CancellationToken);

    public override Task<ImportReport> ImportWorkbook(IAsyncStreamReader<ImportChunk> requestStream, ServerCallContext context) =>
        documents.ImportAsync(context.Caller(), requestStream, context.CancellationToken);
}
