using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Rectify.Events.Organizations;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Hosting;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Gateway;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Replicas;

/// <summary>
/// Two replicas of a service on one PostgreSQL database and one RabbitMQ broker do each piece of work once: the
/// outbox relay, the daily jobs, the consumers; gateway replicas, each with its own database and queues, agree.
/// </summary>
public sealed class ReplicaTests : IAsyncLifetime
{
    private readonly RabbitMqVirtualHost _broker = new();

    public ValueTask InitializeAsync() => _broker.InitializeAsync();

    public ValueTask DisposeAsync() => _broker.DisposeAsync();

    private Dictionary<string, string?> OnRabbitMq() => new()
    {
        ["Rectify:Mode"] = "Distributed",
        ["Rectify:Bus:Transport"] = "RabbitMq",
        ["Rectify:Bus:RabbitMqUri"] = _broker.Uri,
        // About replicas, not broker trust: one user publishes every service's events (BrokerTrustTests does the rest).
        ["Rectify:Bus:Publishers:organizations"] = RabbitMqVirtualHost.SharedUser,
        ["Rectify:Bus:Publishers:measures"] = RabbitMqVirtualHost.SharedUser,
        ["Rectify:Bus:Publishers:assessment"] = RabbitMqVirtualHost.SharedUser,
        ["Rectify:Bus:Publishers:reporting"] = RabbitMqVirtualHost.SharedUser,
        ["Rectify:Measures:ScheduleScans"] = "false",
        ["Rectify:Reporting:ScheduleScans"] = "false",
    };

    private static Task<int> UndispatchedAsync(Database database) =>
        database.ReadAsync(s => s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL"));

    [Fact]
    public async Task Two_replicas_on_one_database_publish_each_event_once()
    {
        await using var listener = await TestHost.StartAsync(DbProvider.Sqlite, [new DeliveryLogModule()], OnRabbitMq());
        await using var storage = TestStorage.Create(DbProvider.Postgres);
        await using var first = await TestHost.StartAsync(DbProvider.Postgres, [new OrganizationsModule()], OnRabbitMq(), storage: storage);
        await using var second = await TestHost.StartAsync(DbProvider.Postgres, [new OrganizationsModule()], OnRabbitMq(), storage: storage);

        // Writes through both replicas, as a load balancer spreads them.
        await first.Organizations("000000000000", Role.Service).RegisterUnitAsync(new RegisterUnitRequest { Code = "360000000000", Name = "江西省" });
        for (var i = 1; i <= 10; i++)
            await (i % 2 == 0 ? first : second).Organizations("000000000000", Role.Service)
                .RegisterUnitAsync(new RegisterUnitRequest { Code = $"36{i:D2}00000000", Name = $"市{i}", ParentCode = "360000000000" });
        // And a backlog neither replica was told about (as after an import on a third): both relays find it at their poll.
        var database = new Database<OrganizationsModule>("organizations", DbProvider.Postgres, storage.ConnectionString("organizations"));
        const int backlog = 1000;
        await database.WriteAsync(s => s.PublishAllAsync(Enumerable.Range(0, backlog)
            .Select(i => new UnitRegistered($"3607{i:D4}0000", $"村{i}", OrgLevel.Village, "360700000000", DateTimeOffset.UtcNow)).ToList()));

        var log = listener.Get<Database<DeliveryLogModule>>();
        await Poll.UntilCount(async () => (await DeliveryLogModule.CountAsync(log, "unit")).Messages, backlog + 11, "every event delivered", TimeSpan.FromSeconds(90));
        await first.SettledAsync();
        await second.SettledAsync();
        await listener.SettledAsync();
        Assert.Equal(0, await UndispatchedAsync(database));
        Assert.Equal((backlog + 11, backlog + 11), await DeliveryLogModule.CountAsync(log, "unit"));
    }

    [Fact]
    public async Task A_dead_relay_is_taken_over_when_its_lease_expires_and_a_stopped_one_at_once()
    {
        await using var listener = await TestHost.StartAsync(DbProvider.Sqlite, [new DeliveryLogModule()], OnRabbitMq());
        await using var storage = TestStorage.Create(DbProvider.Postgres);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // A replica held the relay and died without releasing it (kill -9): its lease runs for another minute.
        var database = new Database<OrganizationsModule>("organizations", DbProvider.Postgres, storage.ConnectionString("organizations"));
        await Migrator.MigrateAsync(database, typeof(OrganizationsModule).Assembly);
        await database.WriteAsync(s => s.ExecuteAsync("INSERT INTO job_leases (name, holder, expires_at) VALUES ('outbox-relay', 'dead-replica', @until)",
            new { until = (clock.GetUtcNow() + TimeSpan.FromMinutes(1)).UtcDateTime }));
        var first = await TestHost.StartAsync(DbProvider.Postgres, [new OrganizationsModule()], OnRabbitMq(), clock, storage);
        await using var second = await TestHost.StartAsync(DbProvider.Postgres, [new OrganizationsModule()], OnRabbitMq(), clock, storage);
        try
        {
            await first.Organizations("000000000000", Role.Service).RegisterUnitAsync(new RegisterUnitRequest { Code = "360000000000", Name = "江西省" });
            // Several polls of both relays (one a second): while the dead holder's lease runs, nobody relays.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(3))
            {
                Assert.Equal(1, await UndispatchedAsync(database));
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            clock.Advance(TimeSpan.FromMinutes(1));
            var log = listener.Get<Database<DeliveryLogModule>>();
            await Poll.UntilCount(async () => (await DeliveryLogModule.CountAsync(log, "unit")).Messages, 1, "the event relayed by the replica that took over");

            // The holder stops (a rolling update): it releases the lease and the other relays at once, the clock unmoved.
            var holder = await database.ReadAsync(s => s.ExecuteScalarAsync<string>("SELECT holder FROM job_leases WHERE name = 'outbox-relay'"));
            Assert.NotEqual("dead-replica", holder);
            var (stopping, staying) = HolderIs(first, holder!) ? (first, second) : (second, first);
            await stopping.StopAsync();
            await staying.Organizations("000000000000", Role.Service).RegisterUnitAsync(new RegisterUnitRequest { Code = "360700000000", Name = "赣州市", ParentCode = "360000000000" });
            await Poll.UntilCount(async () => (await DeliveryLogModule.CountAsync(log, "unit")).Messages, 2, "the event relayed by the remaining replica");
            await staying.SettledAsync();
            await listener.SettledAsync();
            Assert.Equal((2, 2), await DeliveryLogModule.CountAsync(log, "unit"));
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    /// <summary>Whether this host's relay is the lease's holder: its relay is the only one that relays while it lives.</summary>
    private static bool HolderIs(TestHost host, string holder) =>
        host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<OutboxRelay<OrganizationsModule>>().Single().LeaseHolder == holder;

    [Fact]
    public async Task A_daily_job_on_two_replicas_runs_once_and_its_events_are_published_once()
    {
        await using var listener = await TestHost.StartAsync(DbProvider.Sqlite, [new DeliveryLogModule()], OnRabbitMq());
        await using var storage = TestStorage.Create(DbProvider.Postgres);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = OnRabbitMq();
        settings["Rectify:Measures:ScheduleScans"] = "true";
        // The jobs' own lines (lease held elsewhere, scan through a day) in the test's output, should it fail again.
        settings["Logging:LogLevel:Rectify"] = "Information";
        await using var first = await TestHost.StartAsync(DbProvider.Postgres, [new MeasuresModule()], settings, clock, storage);
        await using var second = await TestHost.StartAsync(DbProvider.Postgres, [new MeasuresModule()], settings, clock, storage);
        SetShanghai(first, new DateTime(2027, 3, 1, 10, 0, 0));
        await first.DesignateForYearAsync(Year, (TargetA1, "上坪村", "铁山垅镇"));
        await second.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1, new DateOnly(2027, 4, 30)));

        // Both replicas' schedules come due at once; the plan's three measures are overdue the day after their deadline.
        SetShanghai(first, new DateTime(2027, 5, 1, 7, 0, 0));
        var log = listener.Get<Database<DeliveryLogModule>>();
        // A replica still busy with the run the March jump started finds the lease held when May comes and waits HoldFor
        // on the fake clock, while the holder's run saw March: the clock goes on through the morning, as a real one would.
        var moved = Stopwatch.StartNew();
        var database = first.Get<Database<MeasuresModule>>();
        try
        {
            await Poll.UntilCount(async () =>
            {
                var seen = (await DeliveryLogModule.CountAsync(log, "overdue")).Messages;
                if (seen < 3 && moved.Elapsed > TimeSpan.FromSeconds(2))
                {
                    clock.Advance(DailyJob.HoldFor);
                    moved.Restart();
                }
                return seen;
            }, 3, "the overdue events of the daily scan", TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What the replicas did, to tell a scan that never ran from events that were never relayed or never consumed.
            var state = await database.ReadAsync(async s => string.Join("; ",
                "scans " + string.Join(",", await s.QueryAsync<string>("SELECT CAST(scan_date AS varchar(20)) FROM deadline_scans ORDER BY scan_date")),
                "overdue outbox rows (dispatched) " + await s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%MeasureOverdue'")
                    + " (" + await s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%MeasureOverdue' AND dispatched_at IS NOT NULL") + ")",
                "leases " + string.Join(",", await s.QueryAsync<string>("SELECT name || ' until ' || CAST(expires_at AS varchar(40)) FROM job_leases"))));
            throw new Xunit.Sdk.XunitException($"{e.Message} [{state}; clock {clock.GetUtcNow():O}; listener deliveries {await DeliveryLogModule.CountAsync(log, "overdue")}]");
        }
        await first.SettledAsync();
        await second.SettledAsync();
        await listener.SettledAsync();
        Assert.Equal((3, 3), await DeliveryLogModule.CountAsync(log, "overdue"));
        Assert.Equal(3, await database.ReadAsync(s => s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%MeasureOverdue'")));
        Assert.Equal(1, await database.ReadAsync(s => s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM job_leases WHERE name = 'job:DeadlineScheduler'")));
    }

    [Fact]
    public async Task Two_gateway_replicas_each_with_their_own_database_and_queues_give_the_same_answers()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ledger = await TestHost.StartAsync(DbProvider.Postgres,
            [new OrganizationsModule(), new MeasuresModule(), new Rectify.Reporting.ReportingModule()], OnRabbitMq(), clock);
        var one = OnRabbitMq();
        one["Rectify:Bus:InstanceName"] = "gateway-0";
        var two = OnRabbitMq();
        two["Rectify:Bus:InstanceName"] = "gateway-1";
        await using var gateway0 = await TestHost.StartAsync(DbProvider.Postgres, [new GatewayModule()], one, clock);
        await using var gateway1 = await TestHost.StartAsync(DbProvider.Postgres, [new GatewayModule()], two, clock);

        await GatewaySpec.PrepareAsync(gateway0, ledger);
        var march = new Rectify.Common.V1.Period { Year = 2027, Month = 3 };
        await GatewaySpec.Until(gateway0, County, march, p => p.Targets.Total == 3 && p.Measures.Total == 3 && p.Children.Count == 2);
        await GatewaySpec.Until(gateway1, County, march, p => p.Targets.Total == 3 && p.Measures.Total == 3 && p.Children.Count == 2);
        // Every event relayed and consumed by both before comparing: the counts above can agree while a later change is on its way.
        await ledger.SettledAsync();
        await gateway0.SettledAsync();
        await gateway1.SettledAsync();
        foreach (var unit in new[] { County, "360700000000", TownshipA, TownshipB })
            Assert.Equal(
                Content(await new ProgressService.ProgressServiceClient(gateway0.As(unit)).GetProgressAsync(new GetProgressRequest { UnitCode = unit, Period = march })),
                Content(await new ProgressService.ProgressServiceClient(gateway1.As(unit)).GetProgressAsync(new GetProgressRequest { UnitCode = unit, Period = march })));
    }

    /// <summary>The answer without its version, which is each replica's own (when its model last changed).</summary>
    private static Progress Content(Progress progress)
    {
        var content = progress.Clone();
        content.Version = 0;
        return content;
    }
}
