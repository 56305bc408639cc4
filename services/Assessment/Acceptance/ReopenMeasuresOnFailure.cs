using Grpc.Core;
using Rectify.Assessment.Campaigns;
using Rectify.Events.Assessment;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Acceptance;

/// <summary>
/// 回炉: when a target fails its acceptance or a look-back, its completed and
/// closed measures are reopened through the measures service's API with the new
/// deadline. Driven by the AcceptanceFailed event, so a crash between the
/// verdict and the reopening only delays it; reopening skips measures already
/// reopened, so a redelivery changes nothing.
/// </summary>
public sealed class ReopenMeasuresOnFailure(Database<AssessmentModule> database, ServiceEndpoints endpoints, TimeProvider clock)
    : IdempotentConsumer<AssessmentModule, AcceptanceFailed>(database, clock)
{
    protected override async Task HandleAsync(AcceptanceFailed message, DbSession session)
    {
        var measures = new MeasureService.MeasureServiceClient(endpoints.Channel("measures"));
        var headers = endpoints.ServiceHeaders();
        var reason = (message.Stage == AcceptanceService.LookBackStage ? "回头看不合格：" : "验收不合格：") + string.Join("；", message.Reasons);
        // A review entered as history reopened the measures on the day it was held, not on the day it was entered.
        var campaign = await CampaignStore.LoadAsync(session, message.CampaignId);
        var heldOn = campaign.EnteredAsHistory
            ? await session.ExecuteScalarAsync<DateOnly>(
                $"SELECT held_on FROM reviews WHERE campaign_id = @CampaignId AND village_code = @VillageCode AND passed = @failed ORDER BY id DESC {session.Sql.Limit("1")}",
                new { message.CampaignId, message.VillageCode, failed = false })
            : (DateOnly?)null;
        while (true)
        {
            // Always the first page: each reopened measure leaves the filter.
            var page = await measures.ListMeasuresAsync(new ListMeasuresRequest
            {
                ScopeCode = message.VillageCode, CampaignYear = message.CampaignYear,
                Statuses = { MeasureStatus.Completed, MeasureStatus.Closed }, Page = new Common.V1.PageRequest { PageSize = 100 },
            }, headers, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: session.CancellationToken);
            var reopened = 0;
            foreach (var measure in page.Measures)
            {
                try
                {
                    await measures.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = measure.Id, Reason = reason, NewDeadline = message.NewDeadline.ToProto(), OccurredOn = heldOn?.ToProto() },
                        headers, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: session.CancellationToken);
                    reopened++;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    // Changed meanwhile (reopened by someone else): nothing left to do for it.
                }
            }
            if (reopened == 0) return;
        }
    }
}
