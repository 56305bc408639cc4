using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Tests.Support;

/// <summary>
/// A real Rectify host for a test: Kestrel on loopback ports, HTTP/2 gRPC,
/// real storage, the configured bus, and a fake clock. Clients go over the
/// network exactly as a township system's would.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestStorage _storage;
    private readonly bool _ownsStorage;
    private readonly IReadOnlyList<ServiceModule> _modules;

    private TestHost(WebApplication app, IReadOnlyList<ServiceModule> modules, TestStorage storage, bool ownsStorage, FakeTimeProvider clock, string grpcUrl, string httpUrl, TlsOptions tls)
    {
        _app = app;
        _modules = modules;
        _storage = storage;
        _ownsStorage = ownsStorage;
        Clock = clock;
        GrpcUrl = grpcUrl;
        HttpUrl = httpUrl;
        // Over https the test's client trusts what the host's own calls trust (Rectify:Tls:TrustedCaFile).
        Channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { HttpHandler = TlsSetup.Handler(grpcUrl, tls, self: false), DisposeHttpClient = true });
    }

    public FakeTimeProvider Clock { get; }
    /// <summary>Where this host keeps its data; pass it to a second host to run two instances on one database.</summary>
    public TestStorage Storage => _storage;
    public string GrpcUrl { get; }
    public string HttpUrl { get; }
    public GrpcChannel Channel { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(
        DbProvider provider,
        IReadOnlyList<ServiceModule>? modules = null,
        IDictionary<string, string?>? settings = null,
        FakeTimeProvider? clock = null,
        TestStorage? storage = null,
        bool https = false)
    {
        modules ??= [new Rectify.Organizations.OrganizationsModule()];
        var ownsStorage = storage is null;
        storage ??= TestStorage.Create(provider);
        // Tokens are checked against the wall clock, so the fake clock starts at the real now and only moves forward.
        clock ??= new FakeTimeProvider(DateTimeOffset.UtcNow);
        // A free port is only free until someone else takes it: when a parallel test does, pick again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // https: one port for gRPC and JSON (ALPN); the certificate comes in settings (Rectify:Tls:…).
                var (grpcPort, httpPort) = FreePorts();
                var grpcUrl = https ? $"https://127.0.0.1:{grpcPort}" : $"http://127.0.0.1:{grpcPort}";
                var httpUrl = https ? grpcUrl : $"http://127.0.0.1:{httpPort}";
                var config = new Dictionary<string, string?>
                {
                    ["Rectify:Mode"] = "Standalone",
                    ["Rectify:Auth:SigningKeyFile"] = TestIssuer.KeyFile,
                    ["Rectify:Demo"] = "false",
                    ["Rectify:GrpcUrl"] = grpcUrl,
                    ["Rectify:HttpUrl"] = httpUrl,
                    ["Rectify:Storage:Provider"] = storage.Provider.ToString(),
                    ["Rectify:Bus:Transport"] = "InMemory",
                    // Specs move the fake clock by months and read the outbox as the record of what was published:
                    // keep everything (OutboxRetentionTests prunes on purpose).
                    ["Rectify:Outbox:KeepDispatchedFor"] = "3650.00:00:00",
                    ["Rectify:Outbox:KeepProcessedFor"] = "3650.00:00:00",
                    // Likewise the answers to client request ids (RequestReplyRetentionTests prunes them on purpose).
                    ["Rectify:Reporting:KeepRequestRepliesFor"] = "3650.00:00:00",
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Logging:LogLevel:Rectify"] = "Warning",
                    ["Rectify:MaxRequestBytes"] = (256 * 1024).ToString(),
                };
                foreach (var module in modules) config[$"ConnectionStrings:{module.Name}"] = storage.ConnectionString(module.Name);
                foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) config[key] = value;

                var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
                builder.Configuration.AddInMemoryCollection(config);
                builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
                builder.Services.AddSingleton<TimeProvider>(clock);
                BusActivity.Register(builder.Services);
                builder.AddRectify(modules);
                var app = await builder.BuildRectifyAsync(modules);
                try { await app.StartRectifyAsync(modules); }
                catch
                {
                    await app.DisposeAsync();
                    throw;
                }
                return new TestHost(app, modules, storage, ownsStorage, clock, grpcUrl, httpUrl, app.Services.GetRequiredService<RectifyOptions>().Tls);
            }
            catch (IOException e) when (attempt < 5 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }
    }

    /// <summary>Two free loopback ports, both probes held while the second is taken: one probe after another may get the same port.</summary>
    private static (int, int) FreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }

    /// <summary>A bearer token for a caller acting for <paramref name="org"/>.</summary>
    public static string Token(string org, Role role = Role.Officer, string subject = "tester") => TestIssuer.Token(org, role, subject);

    /// <summary>A token that expires <paramref name="validFor"/> from now (the host checks it on its clock, which starts at the real now).</summary>
    public static string Token(string org, TimeSpan validFor, Role role = Role.Officer, string subject = "tester") =>
        TestIssuer.Token(org, role, subject, DateTimeOffset.UtcNow.AddMinutes(-1), validFor + TimeSpan.FromMinutes(1));

    public CallInvoker As(string org, Role role = Role.Officer, string subject = "tester")
    {
        var token = Token(org, role, subject);
        return Channel.Intercept(metadata =>
        {
            metadata.Add("Authorization", "Bearer " + token);
            return metadata;
        });
    }

    public OrganizationService.OrganizationServiceClient Organizations(string org, Role role = Role.Officer, string subject = "tester") =>
        new(As(org, role, subject));

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>
    /// Publishes on this host's bus as another service would, with a message id of its own. Run apart from the test's
    /// async flow: MassTransit keeps its log context in an AsyncLocal, which must not outlive this host into the next one.
    /// </summary>
    public Task PublishAsync(object message) =>
        Task.Run(() => Get<MassTransit.IBus>().Publish(message, message.GetType(),
            MassTransit.Pipe.Execute<MassTransit.PublishContext>(context => context.MessageId = MassTransit.NewId.NextGuid())));

    /// <summary>
    /// Waits until this host has settled: every module's outbox is dispatched, no consumer is running, and nothing was
    /// published, sent or received for a quiet moment. The in-memory transport shows no queue depths, so a message
    /// published but not yet picked up by its queue shows only as activity within that moment; MassTransit's own test
    /// harness waits for inactivity the same way. Work outside the bus (a worker, a scheduled job) is not covered:
    /// wait for what it writes.
    /// </summary>
    public async Task SettledAsync(TimeSpan? timeout = null)
    {
        var bus = Get<BusActivity>();
        await Poll.Until(async () =>
        {
            var before = bus.Now();
            var undispatched = await UndispatchedAsync();
            if (undispatched > 0 || before.InFlight > 0) throw new InvalidOperationException($"{undispatched} outbox rows undispatched, {before.InFlight} receives in flight");
            // The quiet moment is the definition of settled here, not a wait for something.
            await Task.Delay(QuietMoment);
            var after = bus.Now();
            if (after != before || await UndispatchedAsync() > 0) throw new InvalidOperationException($"still busy: {before} then {after}");
            return true;
        }, "the host to settle (outbox dispatched, bus idle)", timeout);
    }

    private static readonly TimeSpan QuietMoment = TimeSpan.FromMilliseconds(100);

    private async Task<int> UndispatchedAsync()
    {
        var total = 0;
        foreach (var module in _modules)
            total += await module.GetDatabase(Services).ReadAsync(s => s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL"));
        return total;
    }

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        try { await _app.StopAsync(); } catch (ObjectDisposedException) { }
        await _app.DisposeAsync();
        if (_ownsStorage) await _storage.DisposeAsync();
    }
}
