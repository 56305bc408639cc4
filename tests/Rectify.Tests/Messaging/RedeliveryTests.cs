using System.Diagnostics.Metrics;
using Dapper;
using Grpc.Core;
using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rectify.Events.Organizations;
using Rectify.Kernel;
using Rectify.Operations.V1;
using DeadLettersClient = Rectify.Operations.V1.DeadLetters.DeadLettersClient;
using Rectify.Platform.Hosting;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>
/// A consumer whose database is refused for longer than its immediate retries: on a real RabbitMQ broker and a real
/// PostgreSQL database, the broker holds each message in a delay queue and brings it back until the database answers
/// (0 lost, 0 applied twice); a message that uses up its redeliveries sits in _error, where the health check, the gauge
/// and the dead-letter RPC show it, and one replay brings it back to be consumed once. The consumer logs in to the broker
/// as its own user, so every redelivered or replayed message passes the publisher check by its vouched publisher.
/// </summary>
public sealed class RedeliveryTests : IAsyncLifetime
{
    private const string Queue = "tests-unit-log";
    private readonly RabbitMqVirtualHost _broker = new();

    public ValueTask InitializeAsync() => _broker.InitializeAsync();

    public ValueTask DisposeAsync() => _broker.DisposeAsync();

    private Dictionary<string, string?> OnRabbitMq(string uri, string[] retries, string[] redelivery)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rectify:Mode"] = "Distributed",
            ["Rectify:Auth:SigningKeyFile"] = TestIssuer.KeyFile,
            ["Rectify:Bus:Transport"] = "RabbitMq",
            ["Rectify:Bus:RabbitMqUri"] = uri,
            ["Rectify:Bus:Publishers:organizations"] = RabbitMqVirtualHost.SharedUser,
        };
        for (var i = 0; i < retries.Length; i++) settings[$"Rectify:Bus:Retries:{i}"] = retries[i];
        for (var i = 0; i < redelivery.Length; i++) settings[$"Rectify:Bus:Redelivery:{i}"] = redelivery[i];
        return settings;
    }

    /// <summary>The consumer's host on PostgreSQL, logged in as a broker user of its own ("tests"), and a publisher as organizations.</summary>
    private async Task<(TestHost Consumer, TestHost Publisher)> StartAsync(string[] retries, string[] redelivery)
    {
        var (_, consumerUri) = await _broker.CreateUserAsync("rectify-tests", BrokerPermissions.Service("tests", publishes: null));
        var consumer = await TestHost.StartAsync(DbProvider.Postgres, [new UnitLogModule()], OnRabbitMq(consumerUri, retries, redelivery));
        var publisher = await TestHost.StartAsync(DbProvider.Sqlite, [], OnRabbitMq(_broker.Uri, retries, redelivery));
        return (consumer, publisher);
    }

    private static UnitRegistered Village(int n) => new($"3607311012{n:D2}", $"村{n}", OrgLevel.Village, "360731101000", DateTimeOffset.UtcNow);

    [Fact]
    public async Task Events_published_while_the_consumers_database_is_refused_are_all_applied_once_after_it_returns()
    {
        using var redeliveries = new MeasurementsOf("rectify.messaging.redeliveries");
        var (consumer, publisher) = await StartAsync(["00:00:00.1", "00:00:00.2"], ["00:00:01", .. Enumerable.Repeat("00:00:02", 12)]);
        await using (consumer)
        await using (publisher)
        {
            var database = consumer.Storage.ConnectionString(UnitLogModule.ServiceName);
            const int events = 10;
            await using (await DatabaseOutage.BeginAsync(database))
            {
                for (var n = 1; n <= events; n++) await publisher.PublishAsync(Village(n));
                // Far longer than the immediate retries (0.3 s): today's code moved every one of them to _error.
                await Task.Delay(TimeSpan.FromSeconds(8), TestContext.Current.CancellationToken);
            }

            var log = consumer.Get<Database<UnitLogModule>>();
            await Poll.UntilCount(async () => (await DirectoryModule.LoggedCodes(log)).Count, events, "every event applied once the database is back", TimeSpan.FromSeconds(30));
            // A moment for anything still in a delay queue to come back and show up as a second row.
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            var codes = await DirectoryModule.LoggedCodes(log);
            Assert.Equal(Enumerable.Range(1, events).Select(n => Village(n).Code), codes); // 0 lost, 0 applied twice
            Assert.True(redeliveries.Sum(Queue) >= events, $"{redeliveries.Sum(Queue)} redeliveries counted for {events} events");
            var listed = await DeadLetters(consumer).ListDeadLettersAsync(new ListDeadLettersRequest());
            Assert.Equal(0, listed.Total);
        }
    }

    [Fact]
    public async Task A_message_that_used_up_its_redeliveries_is_shown_in_error_and_one_replay_brings_it_back_once()
    {
        var (consumer, publisher) = await StartAsync(["00:00:00.1"], ["00:00:01"]);
        await using (consumer)
        await using (publisher)
        {
            var database = consumer.Storage.ConnectionString(UnitLogModule.ServiceName);
            var root = DeadLetters(consumer);
            await using (await DatabaseOutage.BeginAsync(database))
            {
                await publisher.PublishAsync(Village(1));
                await Poll.Until(async () => (await root.ListDeadLettersAsync(new ListDeadLettersRequest())).Total == 1 ? true : throw new InvalidOperationException("not in _error yet"),
                    "the message to land in _error after one redelivery", TimeSpan.FromSeconds(20));
            }

            var listed = await root.ListDeadLettersAsync(new ListDeadLettersRequest());
            Assert.Equal([(Queue, 1L)], listed.Queues.Select(q => (q.Queue, q.Count)));
            Assert.True(listed.Replayable);
            var health = await consumer.Get<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"), TestContext.Current.CancellationToken);
            Assert.Equal(HealthStatus.Degraded, health.Entries["dead-letters"].Status);
            Assert.Contains($"{Queue}_error 1", health.Entries["dead-letters"].Description);
            using (var gauge = new MeasurementsOf("rectify.messaging.dead_letters"))
                Assert.Equal(1, gauge.Observe(Queue));
            // Nobody but the root's admin: a county admin is refused.
            var county = new DeadLettersClient(consumer.As("360731000000", Role.Admin));
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => county.ReplayDeadLettersAsync(new ReplayDeadLettersRequest()).ResponseAsync)).StatusCode);
            Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => root.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Queue = "no-such-queue" }).ResponseAsync)).StatusCode);

            var replayed = await root.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Queue = Queue });
            Assert.Equal(1, replayed.Total);
            var log = consumer.Get<Database<UnitLogModule>>();
            await DirectoryModule.WaitForAsync(log, Village(1).Code, "the replayed message to be consumed");
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.Equal([Village(1).Code], await DirectoryModule.LoggedCodes(log));
            Assert.Equal(0, (await root.ListDeadLettersAsync(new ListDeadLettersRequest())).Total);
            health = await consumer.Get<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"), TestContext.Current.CancellationToken);
            Assert.Equal(HealthStatus.Healthy, health.Entries["dead-letters"].Status);
        }
    }

    private static DeadLettersClient DeadLetters(TestHost host) => new(host.As(OrgCode.Nation.Value, Role.Admin));

    /// <summary>Listens to one instrument of the Rectify.Messaging meter, by queue.</summary>
    private sealed class MeasurementsOf : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Queue, long Value)> _seen = [];

        public MeasurementsOf(string instrument)
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == "Rectify.Messaging" && i.Name == instrument) l.EnableMeasurementEvents(i);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == "queue" && tag.Value is string queue)
                        lock (_seen) _seen.Add((queue, value));
            });
            _listener.Start();
        }

        public long Sum(string queue)
        {
            lock (_seen) return _seen.Where(s => s.Queue == queue).Sum(s => s.Value);
        }

        /// <summary>The gauge's current value for the queue.</summary>
        public long Observe(string queue)
        {
            lock (_seen) _seen.Clear();
            _listener.RecordObservableInstruments();
            lock (_seen) return _seen.Where(s => s.Queue == queue).Select(s => s.Value).DefaultIfEmpty(-1).Last();
        }

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>
/// A consumer with a durable queue of its own (tests-unit-log), writing to the directory log (no key: a
/// message applied twice shows as two rows) through the platform's idempotent consumer.
/// </summary>
public sealed class UnitLogModule : ServiceModule<UnitLogModule>
{
    public const string ServiceName = "unitlog";

    public override string Name => ServiceName;

    public override void AddServices(IServiceCollection services, IConfiguration configuration) => AddDatabase(services, configuration);

    public override void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<UnitLogConsumer>();

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) { }
}

public sealed class UnitLogConsumer(Database<UnitLogModule> database, TimeProvider clock) : IdempotentConsumer<UnitLogModule, UnitRegistered>(database, clock)
{
    protected override Task HandleAsync(UnitRegistered message, DbSession session) =>
        session.ExecuteAsync("INSERT INTO directory_log (code, name) VALUES (@Code, @Name)", new { message.Code, message.Name });
}
