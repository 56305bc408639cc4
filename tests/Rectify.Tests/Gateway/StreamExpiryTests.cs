using Grpc.Core;
using Grpc.Core.Interceptors;
using Rectify.Common.V1;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Gateway;

/// <summary>
/// A token is checked when a call starts; a server stream must not outlive it. Every server stream ends with
/// Unauthenticated when its caller's token expires, and with Unavailable when it reaches Rectify:MaxStreamLifetime.
/// The host's clock is the fake one: moving it past the token's exp is what expires the token for the stream.
/// </summary>
public sealed class StreamExpiryTests
{
    private const string County = "360731000000", Township = "360731100000";

    private static Task<TestHost> StartAsync(IDictionary<string, string?>? settings = null) =>
        TestHost.StartAsync(DbProvider.Sqlite, [new Rectify.Organizations.OrganizationsModule(), new GatewayModule()], settings);

    private static CallInvoker With(TestHost host, string token) =>
        host.Channel.Intercept(metadata => { metadata.Add("Authorization", "Bearer " + token); return metadata; });

    private static AsyncServerStreamingCall<Progress> Watch(TestHost host, string token) =>
        new ProgressService.ProgressServiceClient(With(host, token)).WatchProgress(new GetProgressRequest
        {
            UnitCode = County, Period = Month.Of(host.Clock.Today()).ToProto(),
        }, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>The stream's next step, bounded: a stream that stays open fails the test instead of hanging it.</summary>
    private static async Task<bool> NextAsync(AsyncServerStreamingCall<Progress> watch)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await watch.ResponseStream.MoveNext(timeout.Token);
    }

    [Fact]
    public async Task A_watch_ends_with_Unauthenticated_once_its_token_expires()
    {
        await using var host = await StartAsync();
        using var watch = Watch(host, TestHost.Token(County, TimeSpan.FromMinutes(2)));
        Assert.True(await NextAsync(watch));

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        // Still within the token's lifetime: the stream stays open (no end within a moment).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var next = watch.ResponseStream.MoveNext(timeout.Token);
        Assert.NotSame(next, await Task.WhenAny(next, Task.Delay(500, TestContext.Current.CancellationToken)));

        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var ended = await Rpc.Refused(StatusCode.Unauthenticated, () => next);
        Assert.Contains("fresh token", ended.Status.Detail);
    }

    [Fact]
    public async Task A_watch_ends_with_Unavailable_at_the_longest_stream_lifetime()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["Rectify:MaxStreamLifetime"] = "00:10:00" });
        using var watch = Watch(host, TestHost.Token(County));
        Assert.True(await NextAsync(watch));

        host.Clock.Advance(TimeSpan.FromMinutes(11));
        var ended = await Rpc.Refused(StatusCode.Unavailable, () => NextAsync(watch));
        Assert.Contains("reconnect", ended.Status.Detail);
    }

    [Fact]
    public async Task Every_server_stream_is_held_to_its_token_not_only_the_watch()
    {
        await using var host = await StartAsync();
        using (var import = host.Organizations("000000000000", Role.Service).ImportUnits(cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000") })
                await import.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent }, TestContext.Current.CancellationToken);
            await import.RequestStream.WriteAsync(new ImportUnitRow { Code = Township, Name = "贡江镇", ParentCode = County }, TestContext.Current.CancellationToken);
            await import.RequestStream.CompleteAsync();
            await import;
        }
        var token = TestHost.Token(County, TimeSpan.FromMinutes(2));
        var organizations = new OrganizationService.OrganizationServiceClient(With(host, token));
        async Task<int> StreamAsync()
        {
            using var call = organizations.StreamSubtree(new StreamSubtreeRequest { Code = County }, cancellationToken: TestContext.Current.CancellationToken);
            var units = 0;
            while (await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken)) units++;
            return units;
        }
        Assert.Equal(1, await StreamAsync()); // the county's township

        // By the host's clock the token has expired; the wall clock's check at the call's start still lets it in.
        host.Clock.Advance(TimeSpan.FromMinutes(3));
        await Rpc.Refused(StatusCode.Unauthenticated, StreamAsync);
    }
}
