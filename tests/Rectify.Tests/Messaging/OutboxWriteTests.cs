using Dapper;
using Rectify.Events;
using Rectify.Events.Organizations;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>A write's many events become outbox rows: every event once, in order, each with its own id.</summary>
public sealed class OutboxWriteTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Events_of_one_write_beyond_one_insert_are_each_one_row_in_order_with_their_own_ids(DbProvider provider)
    {
        await using var storage = TestStorage.Create(provider);
        var database = new Database<DirectoryModule>("directory", provider, storage.ConnectionString("directory"));
        await Migrator.MigrateAsync(database, typeof(DirectoryModule).Assembly);
        var at = new DateTimeOffset(2026, 5, 6, 1, 0, 0, TimeSpan.Zero);
        // 250 in one write (one statement on PostgreSQL), then a write of one.
        var events = Enumerable.Range(0, 250)
            .Select(i => (IIntegrationEvent)new UnitRegistered($"3607311{i:D5}", $"村{i}", OrgLevel.Village, "360731101000", at.AddSeconds(i))).ToList();
        await database.WriteAsync(session => session.PublishAllAsync(events));
        await database.WriteAsync(session => session.PublishAsync(new UnitRegistered("360731199999", "末村", OrgLevel.Village, "360731101000", at)));

        var rows = await database.ReadAsync(async s => (await s.QueryAsync<(string MessageId, string MessageType, string Payload, string? TraceParent)>(
            "SELECT message_id, message_type, payload, trace_parent FROM outbox_messages ORDER BY id")).ToList());
        Assert.Equal(251, rows.Count);
        Assert.Equal(251, rows.Select(r => r.MessageId).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(EventTypes.NameOf(typeof(UnitRegistered)), r.MessageType));
        var codes = rows.Select(r => ((UnitRegistered)System.Text.Json.JsonSerializer.Deserialize(r.Payload, typeof(UnitRegistered), EventTypes.Json)!).Code).ToList();
        Assert.Equal([.. events.Cast<UnitRegistered>().Select(e => e.Code), "360731199999"], codes);
        Assert.All(rows, r => Assert.Null(r.TraceParent));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Every_row_of_a_write_keeps_its_event_time_and_the_trace_of_the_write(DbProvider provider)
    {
        await using var storage = TestStorage.Create(provider);
        var database = new Database<DirectoryModule>("directory", provider, storage.ConnectionString("directory"));
        await Migrator.MigrateAsync(database, typeof(DirectoryModule).Assembly);
        var at = new DateTimeOffset(2026, 5, 6, 9, 30, 0, TimeSpan.FromHours(8)).AddTicks(1234560);
        var events = Enumerable.Range(0, 3)
            .Select(i => (IIntegrationEvent)new UnitRegistered($"3607311{i:D5}", $"村{i}", OrgLevel.Village, "360731101000", at.AddMinutes(i))).ToList();
        using (var write = new System.Diagnostics.Activity("write").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start())
        {
            await database.WriteAsync(session => session.PublishAllAsync(events));
            var rows = await database.ReadAsync(async s => (await s.QueryAsync<(DateTime OccurredAt, string? TraceParent)>(
                "SELECT occurred_at, trace_parent FROM outbox_messages ORDER BY id")).ToList());
            // Stored as UTC wall time (2026-05-06 01:30 for 09:30 in Shanghai), to the microsecond.
            Assert.Equal(events.Select(e => e.OccurredAt.UtcDateTime.Ticks / 10), rows.Select(r => r.OccurredAt.Ticks / 10));
            Assert.All(rows, r => Assert.Equal(write.Id, r.TraceParent));
        }
    }
}
