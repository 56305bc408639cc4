using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Rectify.Events.Measures;
using Rectify.Events.Organizations;
using Rectify.Gateway;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>
/// The broker is not trusted blindly: each service logs in as its own broker user, which may publish only its own
/// events; every message carries its publisher's user as the AMQP user_id, which RabbitMQ validates; and consumers
/// refuse an event whose user_id is not its owning service's. All on the real broker, in a virtual host per test.
/// </summary>
public sealed class BrokerTrustTests : IAsyncLifetime
{
    private readonly RabbitMqVirtualHost _broker = new();

    public ValueTask InitializeAsync() => _broker.InitializeAsync();

    public ValueTask DisposeAsync() => _broker.DisposeAsync();

    private static Dictionary<string, string?> LoggedInAs(string uri, string measuresPublisher, string organizationsPublisher = "rectify-organizations") => new()
    {
        ["Rectify:Mode"] = "Distributed",
        ["Rectify:Auth:SigningKeyFile"] = TestIssuer.KeyFile,
        ["Rectify:Bus:Transport"] = "RabbitMq",
        ["Rectify:Bus:RabbitMqUri"] = uri,
        ["Rectify:Bus:Publishers:measures"] = measuresPublisher,
        ["Rectify:Bus:Publishers:organizations"] = organizationsPublisher,
    };

    private static MeasureCreated Created(string measureId) => new(
        new MeasureSnapshot(measureId, "plan-1", "360731101201", "上坪村", 2027, "COLLECTIVE_ECONOMY", "整修通组产业路", ["陈建国"], new DateOnly(2027, 12, 15), false, MeasureStatus.NotStarted),
        DateTimeOffset.UtcNow);

    private static async Task<bool> StoredAsync(TestHost gateway, string measureId) =>
        await gateway.Get<Database<GatewayModule>>().ReadAsync(c =>
            c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM rm_measures WHERE id = @measureId", new { measureId })) > 0;

    [Fact]
    public async Task A_MeasureCreated_from_anyone_but_the_measures_user_is_refused_and_one_from_it_is_stored()
    {
        var (gatewayUser, gatewayUri) = await _broker.CreateUserAsync("rectify-gateway", BrokerPermissions.Service("gateway", publishes: null));
        var (measuresUser, measuresUri) = await _broker.CreateUserAsync("rectify-measures", BrokerPermissions.Service("measures", publishes: "Measures"));
        // An account allowed to write everywhere (an operator's, leaked): the broker lets it publish, but not as someone else.
        var (intruder, intruderUri) = await _broker.CreateUserAsync("ops", BrokerPermissions.All);

        await using var gateway = await TestHost.StartAsync(DbProvider.Sqlite, [new GatewayModule()], LoggedInAs(gatewayUri, measuresUser));
        await using var forger = await TestHost.StartAsync(DbProvider.Sqlite, [], LoggedInAs(intruderUri, measuresUser));
        await forger.PublishAsync(Created("forged-by-ops"));
        // And with no user_id at all, straight through a client of the broker's own.
        await using (var connection = await Connect(intruderUri))
        await using (var channel = await connection.CreateChannelAsync())
            await channel.BasicPublishAsync("Rectify.Events.Measures:MeasureCreated", "", false, new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString() },
                Envelope(Created("forged-without-user")));

        // Both land in the consumer's _error queue, refused once (no retries), and nothing was stored.
        var refused = await Poll.Until(async () =>
        {
            var messages = await PeekAsync("gateway-measure-created-projection_error", 10);
            return messages.Count == 2 ? messages : throw new InvalidOperationException($"{messages.Count} refused so far");
        });
        Assert.All(refused, m => Assert.Equal("Rectify.Platform.Messaging.ForgedEventException", (string?)m["properties"]!["headers"]!["MT-Fault-ExceptionType"]));
        Assert.Contains(refused, m => ((string?)m["properties"]!["headers"]!["MT-Fault-Message"])!.Contains($"'{intruder}'"));
        Assert.DoesNotContain(refused, m => m["properties"]!["headers"]!["MT-Fault-RetryCount"] is not null);
        Assert.False(await StoredAsync(gateway, "forged-by-ops"));
        Assert.False(await StoredAsync(gateway, "forged-without-user"));

        // The genuine one, published through the platform's bus as the measures user, is stored.
        await using var measures = await TestHost.StartAsync(DbProvider.Sqlite, [], LoggedInAs(measuresUri, measuresUser));
        await measures.PublishAsync(Created("genuine"));
        await Poll.Until(async () => await StoredAsync(gateway, "genuine") ? true : throw new InvalidOperationException("not stored yet"));
        Assert.Equal(2, (await PeekAsync("gateway-measure-created-projection_error", 10)).Count);
        _ = gatewayUser;
    }

    [Fact]
    public async Task The_broker_refuses_a_service_publishing_another_services_events_or_claiming_another_user()
    {
        var (_, gatewayUri) = await _broker.CreateUserAsync("rectify-gateway", BrokerPermissions.Service("gateway", publishes: null));
        var (measuresUser, measuresUri) = await _broker.CreateUserAsync("rectify-measures", BrokerPermissions.Service("measures", publishes: "Measures"));
        var (_, intruderUri) = await _broker.CreateUserAsync("ops", BrokerPermissions.All);
        await using (var setup = await Connect(measuresUri))
        await using (var channel = await setup.CreateChannelAsync())
            await channel.ExchangeDeclareAsync("Rectify.Events.Measures:MeasureCreated", ExchangeType.Fanout, durable: true);

        // The gateway's user may read events but write none: publishing a MeasureCreated closes its channel with 403.
        var denied = await PublishAndAwaitChannelErrorAsync(gatewayUri, new BasicProperties());
        Assert.Equal(403, denied.ReplyCode);
        Assert.Contains("ACCESS_REFUSED", denied.ReplyText);

        // A user who may write there cannot claim to be the measures user: RabbitMQ validates user_id (406).
        var spoofed = await PublishAndAwaitChannelErrorAsync(intruderUri, new BasicProperties { UserId = measuresUser });
        Assert.Equal(406, spoofed.ReplyCode);
        Assert.Contains("user_id", spoofed.ReplyText);
    }

    [Fact]
    public async Task A_faulting_consumer_leaves_no_stack_trace_in_the_error_queue_or_in_a_fault()
    {
        var (organizationsUser, organizationsUri) = await _broker.CreateUserAsync("rectify-organizations", BrokerPermissions.Service("organizations", publishes: "Organizations"));
        var (consumerUser, consumerUri) = await _broker.CreateUserAsync("rectify-faulty", BrokerPermissions.All);
        // Where a fault would go: one asked for by the message, and the exchange MassTransit publishes faults of UnitRenamed to.
        await using (var setup = await Connect(consumerUri))
        await using (var channel = await setup.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync("fault-inbox", durable: true, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync("published-faults", durable: true, exclusive: false, autoDelete: false);
            await channel.ExchangeDeclareAsync("MassTransit:Fault--Rectify.Events.Organizations:UnitRenamed--", ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync("published-faults", "MassTransit:Fault--Rectify.Events.Organizations:UnitRenamed--", "");
        }

        var faultySettings = LoggedInAs(consumerUri, "rectify-measures", organizationsUser);
        // One quick redelivery (through a delay queue), so the message reaches _error within the test.
        faultySettings["Rectify:Bus:Retries:0"] = "00:00:00.1";
        faultySettings["Rectify:Bus:Redelivery:0"] = "00:00:01";
        await using var faulty = await TestHost.StartAsync(DbProvider.Sqlite, [new FaultingModule()], faultySettings);
        await using var organizations = await TestHost.StartAsync(DbProvider.Sqlite, [], LoggedInAs(organizationsUri, "rectify-measures", organizationsUser));
        await Task.Run(() => organizations.Get<IBus>().Publish(new UnitRenamed("360731101201", "上坪村", "新上坪村", new DateOnly(2027, 3, 1), DateTimeOffset.UtcNow), context =>
        {
            context.MessageId = NewId.NextGuid();
            context.FaultAddress = new Uri("queue:fault-inbox");
        }));

        var failed = await Poll.Until(async () => (await PeekAsync("tests-unit-renamed-refuser_error", 1)) is [var m] ? m : throw new InvalidOperationException("not in the error queue yet"));
        var headers = failed["properties"]!["headers"]!.AsObject();
        Assert.Equal("账本已锁定", (string?)headers["MT-Fault-Message"]);
        Assert.False(headers.ContainsKey("MT-Fault-StackTrace"), "the error queue's headers carry a stack trace");
        Assert.DoesNotContain("   at ", failed.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        // Moved by the consumer's process, so under its user: RabbitMQ would refuse the original publisher's user_id on its connection.
        Assert.Equal(consumerUser, (string?)failed["properties"]!["user_id"]);
        // It vouches for the original publisher, so a replay passes the publisher check (RedeliveryTests replays one).
        Assert.Equal(organizationsUser, (string?)headers["Rectify-Published-By"]);
        Assert.Equal(1, (int?)headers["MT-Redelivery-Count"]);

        var fault = await Poll.Until(async () => (await PeekAsync("fault-inbox", 1)) is [var m] ? m : throw new InvalidOperationException("no fault yet"));
        var exceptions = JsonNode.Parse((string)fault["payload"]!)!["message"]!["exceptions"]!.AsArray();
        Assert.Equal("账本已锁定", (string?)exceptions[0]!["message"]);
        Assert.True(string.IsNullOrEmpty((string?)exceptions[0]!["stackTrace"]), $"the fault carries a stack trace: {exceptions[0]}");
        Assert.DoesNotContain("   at ", (string)fault["payload"]!);
        // Faults are not published to all comers.
        Assert.Empty(await PeekAsync("published-faults", 10));
    }

    private async Task<ShutdownEventArgs> PublishAndAwaitChannelErrorAsync(string uri, BasicProperties properties)
    {
        await using var connection = await Connect(uri);
        var channel = await connection.CreateChannelAsync();
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, e) => { closed.TrySetResult(e); return Task.CompletedTask; };
        try
        {
            properties.ContentType = "application/vnd.masstransit+json";
            await channel.BasicPublishAsync("Rectify.Events.Measures:MeasureCreated", "", false, properties, Envelope(Created("refused-at-the-broker")));
            // The refusal arrives asynchronously; a round trip makes sure it has.
            await channel.ExchangeDeclarePassiveAsync("Rectify.Events.Measures:MeasureCreated");
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException) { }
        return await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task<IConnection> Connect(string uri) =>
        await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();

    /// <summary>A MassTransit JSON envelope, as any AMQP client can write one.</summary>
    private static byte[] Envelope(object message) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        messageId = Guid.NewGuid(),
        messageType = new[] { "urn:message:" + message.GetType().Namespace + ":" + message.GetType().Name },
        message,
    }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    /// <summary>Reads up to <paramref name="count"/> messages of a queue through the management API, leaving them there.</summary>
    private async Task<List<JsonObject>> PeekAsync(string queue, int count)
    {
        var response = await _broker.Management.PostAsync($"api/queues/{_broker.Name}/{Uri.EscapeDataString(queue)}/get",
            new StringContent(JsonSerializer.Serialize(new { count, ackmode = "ack_requeue_true", encoding = "auto" }), Encoding.UTF8, "application/json"));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return [];
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(m => m!.AsObject()).ToList();
    }
}

/// <summary>A service whose consumer always fails, as one might on a bug or a broken database.</summary>
public sealed class FaultingModule : ServiceModule<FaultingModule>
{
    public override string Name => "faulting";

    public override void AddServices(IServiceCollection services, IConfiguration configuration) => AddDatabase(services, configuration);

    public override void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<UnitRenamedRefuser>();

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) { }
}

public sealed class UnitRenamedRefuser : IConsumer<UnitRenamed>
{
    public Task Consume(ConsumeContext<UnitRenamed> context) => throw new InvalidOperationException("账本已锁定");
}
