using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rectify.Events.Organizations;
using Rectify.Platform.Messaging;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>The outbox relay and the idempotent consumer on MassTransit's test harness and in-memory transport.</summary>
public sealed class OutboxAndConsumerTests : IAsyncLifetime
{
    private readonly TestStorage _storage = TestStorage.Create(DbProvider.Sqlite);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 6, 1, 0, 0, TimeSpan.Zero));
    private ServiceProvider _services = null!;
    private Database<DirectoryModule> _database = null!;
    private ITestHarness _harness = null!;
    private const string Refused = "拒收村";

    public async ValueTask InitializeAsync()
    {
        _database = new Database<DirectoryModule>("directory", DbProvider.Sqlite, _storage.ConnectionString("directory"));
        await Migrator.MigrateAsync(_database, typeof(DirectoryModule).Assembly);
        _services = new ServiceCollection()
            .AddSingleton(_database)
            .AddSingleton<TimeProvider>(_clock)
            .AddMassTransitTestHarness(bus =>
            {
                bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromMilliseconds(500));
                bus.AddConsumer<UnitDirectoryConsumer>();
                bus.UsingInMemory((context, cfg) =>
                {
                    // The bus refuses one unit's event: what the relay sees when the broker does not confirm a publish.
                    cfg.ConfigurePublish(publish => publish.UseExecute(c =>
                    {
                        if (c is PublishContext<UnitRegistered> { Message.Name: Refused }) throw new InvalidOperationException("not confirmed by the broker");
                    }));
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(validateScopes: true);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _services.DisposeAsync();
        await _storage.DisposeAsync();
    }

    private OutboxRelay<DirectoryModule> Relay() =>
        new(_database, _harness.Bus, _clock, NullLogger<OutboxRelay<DirectoryModule>>.Instance);

    private Task<int> Pending() =>
        _database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL"));

    /// <summary>Waits until every delivery has been handled (the harness counts a redelivered id once, so counting proves nothing).</summary>
    private async Task Quiet()
    {
        await _harness.InactivityTask;
        Assert.True(await _harness.Consumed.Any<UnitRegistered>());
    }

    private Task<int> Processed() =>
        _database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM processed_messages"));

    [Fact]
    public async Task A_message_delivered_twice_is_handled_once()
    {
        var id = NewId.NextGuid();
        var message = new UnitRegistered("360731101201", "上坪村", OrgLevel.Village, "360731101000", _clock.GetUtcNow());
        await _harness.Bus.Publish(message, context => context.MessageId = id);
        await _harness.Bus.Publish(message, context => context.MessageId = id);
        await _harness.Bus.Publish(message with { Code = "360731101202", Name = "黄屋村" }, context => context.MessageId = NewId.NextGuid());

        await Quiet();
        Assert.Equal(["360731101201", "360731101202"], await DirectoryModule.LoggedCodes(_database));
        Assert.Equal(2, await Processed());
    }

    [Fact]
    public async Task Events_written_in_a_rolled_back_transaction_are_never_published()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _database.WriteAsync(async session =>
        {
            await session.PublishAsync(new UnitRenamed("360731101201", "上坪村", "上坪新村", new DateOnly(2026, 5, 6), _clock.GetUtcNow()));
            throw new InvalidOperationException("the change failed after its event was written");
        }));
        Assert.Equal(0, await _database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages")));
    }

    [Fact]
    public async Task The_relay_publishes_committed_rows_in_order_with_the_row_id_as_message_id()
    {
        await _database.WriteAsync(async session =>
        {
            await session.PublishAsync(new UnitRegistered("360731101201", "上坪村", OrgLevel.Village, "360731101000", _clock.GetUtcNow()));
            await session.PublishAsync(new UnitRenamed("360731101201", "上坪村", "上坪新村", new DateOnly(2026, 5, 6), _clock.GetUtcNow()));
        });
        var ids = await _database.ReadAsync(async c => (await c.QueryAsync<string>("SELECT message_id FROM outbox_messages ORDER BY id")).Select(Guid.Parse).ToList());

        Assert.Equal(2, await Relay().RelayBatchAsync(CancellationToken.None));
        Assert.True(await _harness.Published.Any<UnitRegistered>(m => m.Context.MessageId == ids[0]));
        var renamed = _harness.Published.Select<UnitRenamed>().Single();
        Assert.Equal((ids[1], new DateOnly(2026, 5, 6)), (renamed.Context.MessageId, renamed.Context.Message.EffectiveOn));
        Assert.Equal(0, await Pending());
        Assert.Equal(0, await Relay().RelayBatchAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_publish_the_broker_refuses_leaves_only_its_row_pending_and_the_others_are_marked()
    {
        await _database.WriteAsync(session => session.PublishAllAsync([
            new UnitRegistered("360731101204", "长岗村", OrgLevel.Village, "360731101000", _clock.GetUtcNow()),
            new UnitRegistered("360731101205", Refused, OrgLevel.Village, "360731101000", _clock.GetUtcNow()),
            new UnitRegistered("360731101206", "下洛村", OrgLevel.Village, "360731101000", _clock.GetUtcNow())]));

        // The batch fails (the relay backs off), but only after marking what the bus confirmed.
        await Assert.ThrowsAnyAsync<Exception>(() => Relay().RelayBatchAsync(CancellationToken.None));
        var pending = await _database.ReadAsync(async c => (await c.QueryAsync<string>("SELECT payload FROM outbox_messages WHERE dispatched_at IS NULL")).ToList());
        Assert.Contains("360731101205", Assert.Single(pending));
        Assert.True(await _harness.Published.Any<UnitRegistered>(m => m.Context.Message.Code == "360731101206"));
        Assert.True(await _harness.Published.Any<UnitRegistered>(m => m.Context.Message.Code == "360731101204"));
    }

    [Fact]
    public async Task Rows_beyond_one_batch_are_all_published_once_each_with_their_own_ids()
    {
        var count = OutboxRelay<DirectoryModule>.BatchSize * 2 + 250;
        var units = Enumerable.Range(0, count).Select(i => new UnitRegistered($"3607311{i:D5}", $"村{i}", OrgLevel.Village, "360731101000", _clock.GetUtcNow())).ToList();
        await _database.WriteAsync(session => session.PublishAllAsync(units));
        var ids = await _database.ReadAsync(async c => (await c.QueryAsync<string>("SELECT message_id FROM outbox_messages")).Select(Guid.Parse).ToHashSet());

        var relayed = 0;
        for (int batch; (batch = await Relay().RelayBatchAsync(CancellationToken.None)) > 0;) relayed += batch;

        Assert.Equal(count, relayed);
        Assert.Equal(0, await Pending());
        await Quiet();
        var published = _harness.Published.Select<UnitRegistered>().Select(m => m.Context.MessageId!.Value).ToList();
        Assert.Equal(count, published.Count);
        Assert.True(ids.SetEquals(published));
        Assert.Equal(count, (await DirectoryModule.LoggedCodes(_database)).Count);
    }

    [Fact]
    public async Task A_crash_between_publishing_and_marking_republishes_and_the_consumer_ignores_the_duplicate()
    {
        await _database.WriteAsync(session => session.PublishAsync(new UnitRegistered("360731101203", "石门村", OrgLevel.Village, "360731101000", _clock.GetUtcNow())));
        await Relay().RelayBatchAsync(CancellationToken.None);
        // The process died before its mark was written: the row is pending again and the next relay publishes it again.
        await _database.ReadAsync(c => c.ExecuteAsync("UPDATE outbox_messages SET dispatched_at = NULL"));
        Assert.Equal(1, await Relay().RelayBatchAsync(CancellationToken.None));

        await Quiet();
        Assert.Equal(["360731101203"], await DirectoryModule.LoggedCodes(_database));
        Assert.Equal(1, await Processed());
    }
}
