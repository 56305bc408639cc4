using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rectify.Events.Organizations;
using Rectify.Platform.Hosting;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>The outbox and the consumers' records do not grow for ever: what is done is pruned after its keep time, nothing else.</summary>
public sealed class OutboxRetentionTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Published_rows_and_handled_records_are_pruned_after_their_keep_time_and_pending_rows_never(DbProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var storage = TestStorage.Create(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero));
        var database = new Database<DirectoryModule>("retention", provider, storage.ConnectionString("retention"));
        await Migrator.MigrateAsync(database, typeof(DirectoryModule).Assembly, ct);
        await using var services = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider();
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var relay = new OutboxRelay<DirectoryModule>(database, harness.Bus, clock, NullLogger<OutboxRelay<DirectoryModule>>.Instance);
        var options = new RectifyOptions(); // keeps published rows 7 days, handled records 30
        var retention = new OutboxRetention<DirectoryModule>(database, options, clock, NullLogger<OutboxRetention<DirectoryModule>>.Instance);

        async Task PublishAsync(int count) => await database.WriteAsync(s => s.PublishAllAsync(
            Enumerable.Range(0, count).Select(i => new UnitRenamed($"36073110{i:D4}", "旧", "新", new DateOnly(2026, 11, 1), clock.GetUtcNow())).ToList()), ct);
        async Task HandledAsync(string consumer) => await database.WriteAsync(s => s.ExecuteAsync(
            "INSERT INTO processed_messages (message_id, consumer, processed_at) VALUES (@id, @consumer, @at)",
            new { id = Guid.NewGuid().ToString(), consumer, at = clock.GetUtcNow().UtcDateTime }), ct);
        Task<int> CountAsync(string sql) => database.ReadAsync(s => s.ExecuteScalarAsync<int>(sql), ct);

        await PublishAsync(1200); // over one delete batch
        Assert.Equal(1200, await relay.RelayBatchAsync(ct) + await relay.RelayBatchAsync(ct) + await relay.RelayBatchAsync(ct) + await relay.RelayBatchAsync(ct)
            + await relay.RelayBatchAsync(ct) + await relay.RelayBatchAsync(ct));
        await HandledAsync("old");
        clock.Advance(TimeSpan.FromDays(6));
        await PublishAsync(2);                      // published later: younger than 7 days at the end
        await relay.RelayBatchAsync(ct);
        await PublishAsync(3);                      // never published (the broker was down)
        clock.Advance(TimeSpan.FromDays(2));        // day 8
        Assert.Equal((1200, 0), await retention.PruneAsync(ct));
        Assert.Equal(5, await CountAsync("SELECT COUNT(*) FROM outbox_messages"));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL"));

        await HandledAsync("recent");
        clock.Advance(TimeSpan.FromDays(23));       // day 31: the first record is past 30 days, the second is not
        Assert.Equal((2, 1), await retention.PruneAsync(ct));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM processed_messages WHERE consumer = 'recent'"));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL"));
        Assert.Equal((0, 0), await retention.PruneAsync(ct));
        await harness.Stop(ct);
    }

    [Fact]
    public void A_keep_time_shorter_than_a_redelivery_can_take_is_refused_at_start()
    {
        var options = new RectifyOptions { Outbox = { KeepProcessedFor = TimeSpan.FromHours(2) } };
        var refused = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains("KeepProcessedFor", refused.Message);

        // Two days passes the one-day floor but not a redelivery schedule of three.
        var longSchedule = new RectifyOptions { Outbox = { KeepProcessedFor = TimeSpan.FromDays(2) }, Bus = { Redelivery = [TimeSpan.FromDays(3)] } };
        Assert.Contains("whole Rectify:Bus:Redelivery", Assert.Throws<InvalidOperationException>(longSchedule.Validate).Message);
    }

    [Fact]
    public void Consumers_that_could_take_more_connections_than_the_pool_are_refused_at_start()
    {
        var options = new RectifyOptions
        {
            Mode = RunMode.Distributed,
            Storage = { Provider = DbProvider.Postgres, MaxPoolSize = 4 },
            Bus = { Transport = BusTransport.RabbitMq, ConcurrentMessages = 8 },
        };
        Assert.Contains("must not exceed Rectify:Storage:MaxPoolSize", Assert.Throws<InvalidOperationException>(options.Validate).Message);
    }
}
