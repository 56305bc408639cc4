using Grpc.Core;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Tests.Support;

namespace Rectify.Tests.Platform;

/// <summary>How one service calls another: typed clients with the system's credential, and never inside a database write.</summary>
public sealed class ServiceClientTests
{
    [Fact]
    public async Task A_typed_client_calls_with_the_system_credential_and_is_refused_inside_a_write()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new MeasuresModule(), new ReportingModule()]);
        var measures = host.Get<MeasureService.MeasureServiceClient>();
        var database = host.Get<Database<ReportingModule>>();
        var ct = TestContext.Current.CancellationToken;

        // No token passed: the call carries the service's own, which reads the whole nation.
        var counts = await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = "360731000000", CampaignYear = 2026 }, cancellationToken: ct);
        Assert.Equal(0, counts.Total.Total);

        // Inside a write the same call is refused before it leaves: it would hold SQLite's one writer for a network round trip.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync(async _ =>
            await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = "360731000000", CampaignYear = 2026 }, cancellationToken: ct), ct));
        Assert.Contains("inside a database write", refused.Message);

        // A read is no write: the call goes through there, and after the write has committed.
        await database.ReadAsync(async _ => await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = "360731000000", CampaignYear = 2026 }, cancellationToken: ct), ct);
        await database.WriteAsync(_ => Task.CompletedTask, ct);
        await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = "360731000000", CampaignYear = 2026 }, cancellationToken: ct);
    }

    [Fact]
    public async Task A_call_that_passes_the_persons_token_is_made_as_that_person()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new MeasuresModule(), new ReportingModule()]);
        var measures = host.Get<MeasureService.MeasureServiceClient>();
        var township = new Metadata { { "Authorization", "Bearer " + TestHost.Token("360731101000") } };
        // The township's own token is kept (not replaced by the service's): a county is outside its unit.
        var denied = await Assert.ThrowsAsync<RpcException>(() => measures.GetLedgerCountsAsync(
            new GetLedgerCountsRequest { ScopeCode = "360731000000", CampaignYear = 2026 }, township, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }
}
