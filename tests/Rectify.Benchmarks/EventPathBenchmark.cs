using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using FluentMigrator;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rectify.Events;
using Rectify.Events.Organizations;
using Rectify.Platform.Hosting;
using Rectify.Platform.Messaging;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;

namespace Rectify.Benchmarks;

/// <summary>
/// The distributed event path (issue 15): events written to a service's outbox in its transactions (PostgreSQL, the real
/// PublishAllAsync), relayed by the real OutboxRelay to a real RabbitMQ broker (quorum queues, publisher confirms), and
/// applied by a real idempotent consumer (processed_messages) in another host, which records each application: events/s
/// from the first write to the last application, with every event counted (lost, applied twice). The floor is the bare
/// broker path in the same run: MassTransit publish → consume of as many such messages, same broker, queue kind,
/// prefetch and concurrency (the batch consumer's endpoint: MessageLimit × ConcurrencyLimit), no outbox and no database.
/// </summary>
public static class EventPathBenchmark
{
    private const int Events = 20_000;
    private const int EventsPerWrite = 10;
    private const int Writers = 8;

    public static async Task RunAsync()
    {
        var broker = Environment.GetEnvironmentVariable("RECTIFY_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/";
        var postgres = Environment.GetEnvironmentVariable("RECTIFY_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";
        var run = Guid.NewGuid().ToString("N")[..10];
        var folder = Directory.CreateTempSubdirectory("rectify-bench-events-").FullName;
        await using var vhost = await VirtualHost.CreateAsync(broker, "rectify-bench-" + run);
        var databases = new[] { $"rectify_bench_{run}_outbox", $"rectify_bench_{run}_applied" };
        try
        {
            if (Environment.GetEnvironmentVariable("RECTIFY_EVENTS_SWEEP") is { Length: > 0 } sweep)
            {
                // The bare bus alone under other settings, to find what limits it: RECTIFY_EVENTS_SWEEP="8/16/1/64 400/400/1/1000",
                // each concurrency/prefetch/confirms (0 or 1)/publishes in flight.
                foreach (var setting in sweep.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var p = setting.Split('/').Select(int.Parse).ToArray();
                    var b = await BareBrokerAsync(vhost.Uri, Events, new Knobs(p[0], p[1], p[2] == 1, p[3]));
                    Console.WriteLine($"sweep {setting}: {b.Rate:N0} messages/s ({b.Elapsed.TotalSeconds:F2} s)");
                }
                return;
            }
            var floor = await BareBrokerAsync(vhost.Uri, Events);
            Console.WriteLine($"bare broker path: {Events:N0} messages published (confirms on) and consumed in {floor.Elapsed.TotalSeconds:F2} s → {floor.Rate:N0} messages/s; {floor.Distinct:N0} distinct");

            var user = vhost.User;
            Dictionary<string, string?> Settings(string module, string database) => new()
            {
                ["Rectify:Mode"] = "Distributed",
                ["Rectify:Demo"] = "false",
                ["Rectify:Auth:SigningKeyFile"] = Path.Combine(folder, "issuer.pem"),
                ["Rectify:Storage:Provider"] = "Postgres",
                [$"ConnectionStrings:{module}"] = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString,
                ["Rectify:Bus:Transport"] = "RabbitMq",
                ["Rectify:Bus:RabbitMqUri"] = vhost.Uri,
                // One broker user for both hosts: the check of who published stays on, mapped to it.
                ["Rectify:Bus:Publishers:organizations"] = user,
            };
            var (publisher, _) = await BenchHost.StartAsync(Path.Combine(folder, "outbox"), [new EventSourceModule()], Settings("bench-outbox", databases[0]));
            var (consumer, _) = await BenchHost.StartAsync(Path.Combine(folder, "applied"), [new EventSinkModule()], Settings("bench-applied", databases[1]));
            try
            {
                var source = publisher.Services.GetRequiredService<Database<EventSourceModule>>();
                var sink = consumer.Services.GetRequiredService<Database<EventSinkModule>>();
                var start = Stopwatch.GetTimestamp();
                // Many small writes, each committing a few events with its change, as the services do.
                await Parallel.ForEachAsync(Enumerable.Range(0, Events / EventsPerWrite), new ParallelOptions { MaxDegreeOfParallelism = Writers }, async (write, ct) =>
                    await source.WriteAsync(session => session.PublishAllAsync(
                        [.. Enumerable.Range(write * EventsPerWrite, EventsPerWrite).Select(i => (IIntegrationEvent)new UnitRegistered(Code(i), $"村{i}", OrgLevel.Village, "360731101000", DateTimeOffset.UtcNow))]), ct));
                var written = Stopwatch.GetElapsedTime(start);
                var deadline = DateTime.UtcNow.AddMinutes(5);
                long distinct = 0;
                TimeSpan? relayed = null;
                while (DateTime.UtcNow < deadline)
                {
                    // Where the time goes: when the relay had every row confirmed, then when the consumer applied the last.
                    if (relayed is null && await source.ReadAsync(s => s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL")) == 0)
                        relayed = Stopwatch.GetElapsedTime(start);
                    distinct = await sink.ReadAsync(s => s.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT code) FROM applied_events"));
                    if (distinct >= Events) break;
                    await Task.Delay(20);
                }
                var elapsed = Stopwatch.GetElapsedTime(start);
                // Settle: a duplicate applied late would show here.
                await Task.Delay(1000);
                var (applications, seen) = await sink.ReadAsync(async s => (
                    await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM applied_events"),
                    await s.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT code) FROM applied_events")));
                var pending = await source.ReadAsync(s => s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL"));
                var rate = distinct / elapsed.TotalSeconds;
                Console.WriteLine($"outbox path: {Events:N0} events in {Events / EventsPerWrite:N0} writes of {EventsPerWrite} by {Writers} writers (written in {written.TotalSeconds:F2} s, all relayed at {relayed?.TotalSeconds:F2} s), " +
                    $"relayed to RabbitMQ and applied in another host in {elapsed.TotalSeconds:F2} s → {rate:N0} events/s; " +
                    $"{Events - seen:N0} lost, {applications - seen:N0} applied twice ({applications:N0} applications of {seen:N0} distinct events; {pending:N0} outbox rows left pending)");
                Figures.Absolute("distributed event path (outbox → RabbitMQ → consumer)", rate, "events/s",
                    "bare broker path: MassTransit publish → consume, no outbox", floor.Rate, 5_000, atMost: false);
            }
            finally
            {
                await consumer.StopAsync();
                await consumer.DisposeAsync();
                await publisher.StopAsync();
                await publisher.DisposeAsync();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString))
                foreach (var database in databases)
                    await admin.ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Code(int i) => $"360{i:D9}";

    private sealed record Bare(TimeSpan Elapsed, double Rate, int Distinct);

    private sealed record Knobs(int Concurrency, int Prefetch, bool Confirms, int Publishers);

    /// <summary>The same messages through MassTransit alone: published with confirms, consumed into a set.</summary>
    private static async Task<Bare> BareBrokerAsync(string uri, int count, Knobs? knobs = null)
    {
        var seen = new ConcurrentDictionary<Guid, byte>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The product consumer's endpoint: a batch consumer's queue is raised by MassTransit to hold its batches.
        const int held = AppliedEventConsumer.MessageLimit * AppliedEventConsumer.ConcurrencyLimit;
        // As many publishes in flight as a relay batch.
        knobs ??= new Knobs(held, held, true, OutboxRelay<EventSourceModule>.BatchSize);
        var queue = "bare-unit-registered-" + Guid.NewGuid().ToString("N")[..6];
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(uri), h => h.PublisherConfirmation = knobs.Confirms);
            cfg.ReceiveEndpoint(queue, endpoint =>
            {
                endpoint.SetQuorumQueue();
                endpoint.PrefetchCount = knobs.Prefetch;
                endpoint.ConcurrentMessageLimit = knobs.Concurrency;
                endpoint.Handler<UnitRegistered>(context =>
                {
                    seen.TryAdd(context.MessageId!.Value, 0);
                    if (seen.Count >= count) done.TrySetResult();
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
        try
        {
            var start = Stopwatch.GetTimestamp();
            // As fast as confirms come back: a window of publishes in flight, as a relay batch is.
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = knobs.Publishers }, async (i, ct) =>
                await bus.Publish(new UnitRegistered(Code(i), $"村{i}", OrgLevel.Village, "360731101000", DateTimeOffset.UtcNow), ct));
            Console.WriteLine($"  (bare: all {count:N0} published and confirmed at {Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s)");
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            var elapsed = Stopwatch.GetElapsedTime(start);
            return new Bare(elapsed, seen.Count / elapsed.TotalSeconds, seen.Count);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>A virtual host of its own on the broker for one run (management API on 15672), deleted after.</summary>
    private sealed class VirtualHost(HttpClient management, string name, string uri, string user) : IAsyncDisposable
    {
        public string Uri => uri;
        public string User => user;

        public static async Task<VirtualHost> CreateAsync(string broker, string name)
        {
            var address = new Uri(broker);
            var credentials = System.Uri.UnescapeDataString(address.UserInfo);
            var management = new HttpClient { BaseAddress = new Uri($"http://{address.Host}:15672/") };
            management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            (await management.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
            var user = credentials.Split(':')[0];
            (await management.PutAsync($"api/permissions/{name}/{user}",
                new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            return new VirtualHost(management, name, new UriBuilder(address) { Path = "/" + name }.Uri.ToString(), user);
        }

        public async ValueTask DisposeAsync()
        {
            try { await management.DeleteAsync($"api/vhosts/{name}"); } catch (HttpRequestException) { }
            management.Dispose();
        }
    }
}

/// <summary>The publishing service of the event-path benchmark: an outbox and its relay, nothing else.</summary>
public sealed class EventSourceModule : ServiceModule<EventSourceModule>
{
    public override string Name => "bench-outbox";
    public override void AddServices(IServiceCollection services, IConfiguration configuration) => AddDatabase(services, configuration);
    public override void MapEndpoints(IEndpointRouteBuilder endpoints) { }
}

/// <summary>The consuming service of the event-path benchmark: an idempotent consumer that records each application.</summary>
public sealed class EventSinkModule : ServiceModule<EventSinkModule>
{
    public override string Name => "bench-applied";
    public override void AddServices(IServiceCollection services, IConfiguration configuration) => AddDatabase(services, configuration);
    public override void AddConsumers(IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<AppliedEventConsumer>((_, c) => c.Options<BatchOptions>(AppliedEventConsumer.Configure));
    public override void MapEndpoints(IEndpointRouteBuilder endpoints) { }
}

/// <summary>
/// Applies each UnitRegistered once (processed_messages), a batch of them per transaction; the record has no key, so
/// one applied twice shows as two rows.
/// </summary>
public sealed class AppliedEventConsumer(Database<EventSinkModule> database, TimeProvider clock)
    : IdempotentBatchConsumer<EventSinkModule, UnitRegistered>(database, clock)
{
    // Set-wise, as a batch handler's own write would be (the benchmark runs on PostgreSQL).
    protected override Task HandleAsync(IReadOnlyList<UnitRegistered> messages, DbSession session) =>
        session.ExecuteAsync("INSERT INTO applied_events (code) SELECT c FROM unnest(@codes) AS u(c)", new { codes = messages.Select(m => m.Code).ToArray() });
}

[Migration(9_001, "Applied events (event-path benchmark)")]
public sealed class AppliedEventsMigration : Migration
{
    public override void Up() => Create.Table("applied_events").WithColumn("code").AsString(12).NotNullable();
    public override void Down() => Delete.Table("applied_events");
}
