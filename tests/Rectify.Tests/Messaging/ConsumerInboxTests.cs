using System.Collections.Concurrent;
using Dapper;
using Rectify.Platform.Messaging;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>
/// The consumer inbox's group commit on the real databases: messages handled at the same moment share one transaction,
/// and still each one is applied once, undone alone when it fails, and followed by its after-commit actions only if committed.
/// </summary>
public sealed class ConsumerInboxTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_failing_message_in_a_shared_batch_is_undone_alone_and_a_duplicate_in_it_is_applied_once(DbProvider provider)
    {
        await using var storage = TestStorage.Create(provider);
        var database = new Database<DirectoryModule>("directory", provider, storage.ConnectionString("directory"));
        await Migrator.MigrateAsync(database, typeof(DirectoryModule).Assembly);
        var inbox = ConsumerInbox.Of(database);
        var at = new DateTime(2026, 5, 6, 1, 0, 0, DateTimeKind.Utc);
        var afterCommit = new ConcurrentBag<string>();

        // The consumer's protocol (IdempotentConsumer): record the message id first, then apply it.
        Func<DbSession, Task<bool>> Apply(string messageId, string code, bool fails = false) => async session =>
        {
            var processed = new ProcessedMessage(messageId, "DirectoryLog", at);
            if (await processed.SeenAsync(session)) return false;
            await processed.RecordAsync(session);
            await session.ExecuteAsync("INSERT INTO directory_log (code, name) VALUES (@code, @name)", new { code, name = "村" + code });
            session.AfterCommit(() => afterCommit.Add(code));
            // A real database error: on PostgreSQL it aborts the transaction, so only a savepoint keeps the others' work.
            if (fails) await session.ExecuteAsync("INSERT INTO no_such_table (code) VALUES (@code)", new { code });
            return true;
        };

        // Both batches at work held open, each with one message, so the messages after them wait and are then taken as one batch.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new List<Task<bool>>();
        for (var i = 0; i < inbox.BatchesAtWork; i++)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var (messageId, code) = ($"held-{i}", $"36010000000{i}");
            held.Add(inbox.RunAsync(async session =>
            {
                started.SetResult();
                await gate.Task;
                return await Apply(messageId, code)(session);
            }));
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        var codes = Enumerable.Range(0, 30).Select(i => $"3602000000{i:D2}").ToList();
        var batch = codes.Select((code, i) => inbox.RunAsync(Apply($"m-{i}", code, fails: i == 13))).ToList();
        var duplicate = inbox.RunAsync(Apply("m-7", codes[7]));
        gate.SetResult();

        Assert.All(await Task.WhenAll(held), Assert.True);
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => batch[13]);
        Assert.Contains("no_such_table", failed.Message);
        foreach (var (task, i) in batch.Select((t, i) => (t, i)).Where(x => x.i != 13)) Assert.True(await task, $"message {i} applied");
        Assert.False(await duplicate);

        var expected = codes.Where((_, i) => i != 13).Concat(Enumerable.Range(0, inbox.BatchesAtWork).Select(i => $"36010000000{i}")).Order().ToList();
        Assert.Equal(expected, await DirectoryModule.LoggedCodes(database));
        Assert.Equal(expected, afterCommit.Order().ToList());
        Assert.Equal(expected.Count, await database.ReadAsync(s => s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM processed_messages")));

        // The failed message, redelivered on its own, is applied then.
        Assert.True(await inbox.RunAsync(Apply("m-13", codes[13])));
        Assert.Contains(codes[13], await DirectoryModule.LoggedCodes(database));
    }
}
