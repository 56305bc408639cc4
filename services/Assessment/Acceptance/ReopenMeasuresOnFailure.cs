using Grpc.Core;
using MassTransit;
using Rectify.Assessment.Campaigns;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Acceptance;

/// <summary>
/// 回炉: when a target fails its acceptance or a look-back, its completed and closed measures are reopened through the
/// measures service's API with the new deadline. Driven by the AcceptanceFailed event, so a crash between the verdict
/// and the reopening only delays it. The remote calls run outside any transaction of this service's database; the
/// message is recorded as processed after them, so a redelivery of a handled message changes nothing, and one that
/// arrives after a crash mid-way repeats only the reopening, which skips measures already reopened.
/// </summary>
public sealed class ReopenMeasuresOnFailure(Database<AssessmentModule> database, MeasureService.MeasureServiceClient measures, TimeProvider clock)
    : IConsumer<AcceptanceFailed>
{
    public async Task Consume(ConsumeContext<AcceptanceFailed> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        var processed = ProcessedMessage.Of(context, nameof(ReopenMeasuresOnFailure), clock);
        var (seen, heldOn) = await database.ReadAsync(async session =>
        {
            if (await processed.SeenAsync(session)) return (true, (DateOnly?)null);
            // A review entered as history reopened the measures on the day it was held, not on the day it was entered.
            var campaign = await CampaignStore.LoadAsync(session, message.CampaignId);
            return (false, campaign.EnteredAsHistory
                ? await session.ExecuteScalarAsync<DateOnly>(
                    $"SELECT held_on FROM reviews WHERE campaign_id = @CampaignId AND village_code = @VillageCode AND passed = @failed ORDER BY id DESC {session.Sql.Limit("1")}",
                    new { message.CampaignId, message.VillageCode, failed = false })
                : (DateOnly?)null);
        }, ct);
        if (seen) return;

        var reason = (message.Stage == AcceptanceService.LookBackStage ? "回头看不合格：" : "验收不合格：") + string.Join("；", message.Reasons);
        while (true)
        {
            // Always the first page: each reopened measure leaves the filter.
            var page = await measures.ListMeasuresAsync(new ListMeasuresRequest
            {
                ScopeCode = message.VillageCode, CampaignYear = message.CampaignYear,
                Statuses = { MeasureStatus.Completed, MeasureStatus.Closed }, Page = new Common.V1.PageRequest { PageSize = 100 },
            }, cancellationToken: ct);
            var reopened = 0;
            foreach (var measure in page.Measures)
            {
                try
                {
                    await measures.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = measure.Id, Reason = reason, NewDeadline = message.NewDeadline.ToProto(), OccurredOn = heldOn?.ToProto() },
                        cancellationToken: ct);
                    reopened++;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    // Changed meanwhile (reopened by someone else): nothing left to do for it.
                }
            }
            if (reopened == 0) break;
        }
        await database.WriteAsync(processed.RecordAsync, ct);
    }
}
