using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Rectify.Gateway.ReadModel;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform.Identity;

namespace Rectify.Gateway;

/// <summary>The read model's upkeep for an operator: an admin of the unit or a unit above it, or the system.</summary>
[Authorize]
public sealed class ReadModelApi(ReadModelRebuild rebuild, Reconciler reconciler, TimeProvider clock) : ReadModelService.ReadModelServiceBase
{
    public override Task<RebuildReadModelResponse> RebuildReadModel(RebuildReadModelRequest request, ServerCallContext context)
    {
        var unit = RebuildReadModelInput.Parse(request).Unit;
        context.Caller().EnsureAdmin(unit, "Rebuilding the read model");
        return rebuild.RebuildAsync(unit, context.CancellationToken);
    }

    public override Task<Reconciliation> Reconcile(ReconcileRequest request, ServerCallContext context)
    {
        var (unit, year) = ReconcileInput.Parse(request, clock.Today());
        context.Caller().EnsureAdmin(unit, "Reconciling the read model");
        return reconciler.ReconcileAsync(unit, year, context.CancellationToken);
    }
}
