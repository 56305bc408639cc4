using Microsoft.Extensions.Time.Testing;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Replicas;

/// <summary>The lease that lets one replica at a time run a piece of work (Platform/Hosting/Lease.cs).</summary>
public sealed class LeaseTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task One_holder_at_a_time_taken_over_on_expiry_or_release(DbProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var storage = TestStorage.Create(provider);
        var database = new Database<DirectoryModule>("leases", provider, storage.ConnectionString("leases"));
        await Migrator.MigrateAsync(database, typeof(DirectoryModule).Assembly, ct);
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 5, 1, 6, 0, 0, TimeSpan.FromHours(8)));
        var duration = TimeSpan.FromSeconds(15);
        var a = new Lease(database, "outbox-relay", duration, clock);
        var b = new Lease(database, "outbox-relay", duration, clock);

        Assert.True(await a.TryAcquireAsync(ct));
        Assert.False(await b.TryAcquireAsync(ct));
        // The holder renews past half its time; the other still waits.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await a.TryAcquireAsync(ct));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await b.TryAcquireAsync(ct));
        // The holder dies (stops renewing): the lease expires and the other takes it; the old holder is then refused.
        clock.Advance(duration);
        Assert.True(await b.TryAcquireAsync(ct));
        Assert.False(await a.TryAcquireAsync(ct));
        Assert.False(a.Held);
        // A holder that stops releases it: the other takes it at once.
        await b.ReleaseAsync(ct);
        Assert.True(await a.TryAcquireAsync(ct));
        // Another name is another lease.
        Assert.True(await new Lease(database, "job:DeadlineScheduler", duration, clock).TryAcquireAsync(ct));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Of_many_replicas_taking_a_free_or_expired_lease_at_once_exactly_one_wins(DbProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var storage = TestStorage.Create(provider);
        var database = new Database<DirectoryModule>("leases", provider, storage.ConnectionString("leases"));
        await Migrator.MigrateAsync(database, typeof(DirectoryModule).Assembly, ct);
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 5, 1, 6, 0, 0, TimeSpan.FromHours(8)));
        var duration = TimeSpan.FromMinutes(1);
        // First the INSERT race (no row yet), then the UPDATE race (the row expired).
        for (var round = 0; round < 2; round++)
        {
            var replicas = Enumerable.Range(0, 8).Select(_ => new Lease(database, "job:ReminderJob", duration, clock)).ToList();
            var won = await Task.WhenAll(replicas.Select(r => Task.Run(() => r.TryAcquireAsync(ct), ct)));
            Assert.Equal(1, won.Count(w => w));
            clock.Advance(duration + TimeSpan.FromSeconds(1));
        }
    }
}
