using Grpc.Core;
using Grpc.Core.Interceptors;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Rectify.Platform.Hosting;

/// <summary>
/// A token is checked once, when a call starts; a server stream (a dashboard's watch, an export) would otherwise go on
/// sending a unit's data long after the caller's access ended. Every server-streaming RPC therefore runs with a
/// cancellation that fires when the caller's token expires (its <c>exp</c> claim) or when the stream reaches
/// Rectify:MaxStreamLifetime, whichever comes first, measured on the injected clock; the stream then ends with
/// Unauthenticated (expired: reconnect with a fresh token) or Unavailable (the cap: reconnect), never with OK,
/// so a client cannot take a cut-off export or watch for a finished one.
/// </summary>
public sealed class StreamLifetimeInterceptor(RectifyOptions options, TimeProvider clock) : Interceptor
{
    /// <summary>The longest delay a timer takes.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromDays(24);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var httpContext = context.GetHttpContext();
        var now = clock.GetUtcNow();
        var ending = Ending(httpContext.User, now);
        using var timer = new CancellationTokenSource(Remaining(httpContext.User, options, now), clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, timer.Token);
        var ended = () => timer.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested;
        try
        {
            await continuation(request, new LimitedWriter<TResponse>(responseStream, linked.Token, ended, ending), new LimitedContext(context, httpContext, linked.Token));
        }
        catch (Exception e) when (ended() && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            throw ending;
        }
        // A stream that stops quietly when cancelled (a watch) still tells the client why.
        if (ended()) throw ending;
    }

    /// <summary>How long a stream of this caller may run from now, as a timer takes it; also the gateway's server-sent events use it.</summary>
    public static TimeSpan Remaining(ClaimsPrincipal user, RectifyOptions options, DateTimeOffset now)
    {
        var remaining = EndsAt(user, options, now).At - now;
        return remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < Longest ? remaining : Longest;
    }

    /// <summary>When the caller's token expires or the stream reaches its cap, whichever is first.</summary>
    private static (DateTimeOffset At, bool TokenExpires) EndsAt(ClaimsPrincipal user, RectifyOptions options, DateTimeOffset now)
    {
        var cap = now + options.MaxStreamLifetime;
        // Anonymous streams (health's Watch) have no token, only the cap.
        return long.TryParse(user.FindFirst("exp")?.Value, out var exp) && DateTimeOffset.FromUnixTimeSeconds(exp) is var expires && expires < cap
            ? (expires, true) : (cap, false);
    }

    private RpcException Ending(ClaimsPrincipal user, DateTimeOffset now) => EndsAt(user, options, now) switch
    {
        (var expires, true) => new RpcException(new Status(StatusCode.Unauthenticated, $"The caller's token expired at {expires:u}; reconnect with a fresh token.")),
        _ => new RpcException(new Status(StatusCode.Unavailable, $"The stream reached its longest lifetime ({options.MaxStreamLifetime}); reconnect to continue.")),
    };

    /// <summary>Refuses a write once the stream's time is up, for a body that does not watch its cancellation.</summary>
    private sealed class LimitedWriter<T>(IServerStreamWriter<T> inner, CancellationToken token, Func<bool> ended, RpcException ending) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get => inner.WriteOptions; set => inner.WriteOptions = value; }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            if (ended()) throw ending;
            token.ThrowIfCancellationRequested();
            return inner.WriteAsync(message, cancellationToken);
        }
    }

    /// <summary>The call's context with the stream's own cancellation; the rest is the call's.</summary>
    private sealed class LimitedContext(ServerCallContext inner, HttpContext http, CancellationToken token) : ServerCallContext
    {
        protected override string MethodCore => inner.Method;
        protected override string HostCore => inner.Host;
        protected override string PeerCore => inner.Peer;
        protected override DateTime DeadlineCore => inner.Deadline;
        protected override Metadata RequestHeadersCore => inner.RequestHeaders;
        protected override CancellationToken CancellationTokenCore => token;
        protected override Metadata ResponseTrailersCore => inner.ResponseTrailers;
        protected override Status StatusCore { get => inner.Status; set => inner.Status = value; }
        protected override WriteOptions? WriteOptionsCore { get => inner.WriteOptions; set => inner.WriteOptions = value; }
        protected override AuthContext AuthContextCore => inner.AuthContext;
        // GetHttpContext() finds the HttpContext here when the context is not the framework's own.
        protected override IDictionary<object, object> UserStateCore
        {
            get
            {
                var state = inner.UserState;
                state["__HttpContext"] = http;
                return state;
            }
        }
        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => inner.CreatePropagationToken(options);
        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => inner.WriteResponseHeadersAsync(responseHeaders);
    }
}
