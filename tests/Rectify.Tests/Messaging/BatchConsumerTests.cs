using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Rectify.Events.Organizations;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>
/// The batch form of the idempotent consumer (a batch per transaction, each message deduplicated on its own) on
/// MassTransit's in-memory transport, and its set-wise inbox, on SQLite and PostgreSQL.
/// </summary>
public sealed class BatchConsumerTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 5, 6, 1, 0, 0, TimeSpan.Zero));

    private static async Task<Database<DirectoryModule>> DatabaseAsync(TestStorage storage)
    {
        var database = new Database<DirectoryModule>("directory", storage.Provider, storage.ConnectionString("directory"));
        await Migrator.MigrateAsync(database, typeof(DirectoryModule).Assembly);
        return database;
    }

    private static UnitRegistered Unit(string code) => new(code, "村" + code[^3..], OrgLevel.Village, "360731101000", Clock.GetUtcNow());

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Each_message_of_the_batches_is_applied_once_however_often_it_is_delivered(DbProvider provider)
    {
        await using var storage = TestStorage.Create(provider);
        var database = await DatabaseAsync(storage);
        await using var services = new ServiceCollection()
            .AddSingleton(database)
            .AddSingleton<TimeProvider>(Clock)
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<UnitBatchLogConsumer>((_, c) => c.Options<BatchOptions>(UnitBatchLogConsumer.Configure));
                bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            })
            .BuildServiceProvider(validateScopes: true);
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        try
        {
            // 250 messages (more than one batch), one of them published twice under its id (in or across batches).
            var ids = Enumerable.Range(0, 250).Select(_ => NewId.NextGuid()).ToList();
            var codes = Enumerable.Range(0, 250).Select(i => $"3607311{i:D5}").ToList();
            await Task.WhenAll(ids.Select((id, i) => harness.Bus.Publish(Unit(codes[i]), c => c.MessageId = id)));
            await harness.Bus.Publish(Unit(codes[7]), c => c.MessageId = ids[7]);
            await Poll.UntilCount(async () => (await DirectoryModule.LoggedCodes(database)).Count, 250, "the first 250 applied");

            // A redelivery of handled messages beside a new one: only the new one is applied.
            await harness.Bus.Publish(Unit(codes[0]), c => c.MessageId = ids[0]);
            await harness.Bus.Publish(Unit(codes[249]), c => c.MessageId = ids[249]);
            await harness.Bus.Publish(Unit("360731199999"), c => c.MessageId = NewId.NextGuid());
            await DirectoryModule.WaitForAsync(database, "360731199999", "the new message applied");
            await harness.InactivityTask;

            Assert.Equal([.. codes, "360731199999"], await DirectoryModule.LoggedCodes(database));
            Assert.Equal(251, await database.ReadAsync(s => s.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM processed_messages WHERE consumer = @consumer", new { consumer = nameof(UnitBatchLogConsumer) })));
        }
        finally
        {
            await harness.Stop();
        }
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task The_set_wise_inbox_gives_the_first_of_duplicates_and_skips_what_was_seen(DbProvider provider)
    {
        await using var storage = TestStorage.Create(provider);
        var database = await DatabaseAsync(storage);
        ProcessedMessage Key(string id) => new(id, "Log", Clock.GetUtcNow().UtcDateTime);
        var first = await database.WriteAsync(s => ProcessedMessage.RecordUnseenAsync(s, ["a", "b", "a", "c"], Key));
        var second = await database.WriteAsync(s => ProcessedMessage.RecordUnseenAsync(s, ["c", "d", "b", "e", "d"], Key));

        Assert.Equal(["a", "b", "c"], first);
        Assert.Equal(["d", "e"], second);
        // Another consumer's record of the same ids is its own.
        Assert.Equal(["a"], await database.WriteAsync(s => ProcessedMessage.RecordUnseenAsync(s, ["a"], id => Key(id) with { Consumer = "Other" })));
    }

    [Fact]
    public async Task On_PostgreSQL_a_batch_racing_another_with_the_same_message_waits_and_skips_it_instead_of_failing()
    {
        await using var storage = TestStorage.Create(DbProvider.Postgres);
        var database = await DatabaseAsync(storage);
        ProcessedMessage Key(string id) => new(id, "Log", Clock.GetUtcNow().UtcDateTime);
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        // The first batch has recorded "x" and not yet committed when the second records "x" and "y".
        var firstBatch = database.WriteAsync(async s =>
        {
            var unseen = await ProcessedMessage.RecordUnseenAsync(s, ["x"], Key);
            holding.SetResult();
            await release.Task;
            return unseen;
        });
        await holding.Task;
        var secondBatch = database.WriteAsync(s => ProcessedMessage.RecordUnseenAsync(s, ["x", "y"], Key));
        await Task.Delay(300);
        Assert.False(secondBatch.IsCompleted); // it waits on the first's key
        release.SetResult();

        Assert.Equal(["x"], await firstBatch);
        Assert.Equal(["y"], await secondBatch);
    }
}

/// <summary>Logs registered units a batch per transaction; the log has no key, so one applied twice shows as two rows.</summary>
public sealed class UnitBatchLogConsumer(Database<DirectoryModule> database, TimeProvider clock)
    : IdempotentBatchConsumer<DirectoryModule, UnitRegistered>(database, clock)
{
    protected override Task HandleAsync(IReadOnlyList<UnitRegistered> messages, DbSession session) =>
        session.ExecuteAsync("INSERT INTO directory_log (code, name) VALUES (@Code, @Name)", messages.Select(m => new { m.Code, m.Name }).ToList());
}
