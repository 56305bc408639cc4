using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>
/// Typed gRPC clients of the other services, registered once and taken by constructor. Every call goes to the
/// service's endpoint (<see cref="ServiceEndpoints"/>), carries the system's credential unless the call passes the
/// person's own Authorization header (the gateway reads on the caller's behalf), has a deadline, and inherits the
/// deadline and cancellation of the incoming call it serves. A call made while a database write is open is refused:
/// a remote call must not hold the writer, so read before the write or act after its commit.
/// </summary>
public static class ServiceClients
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(10);

    public static IServiceCollection AddServiceClient<TClient>(this IServiceCollection services, string service) where TClient : ClientBase
    {
        // Several modules of one process may ask for the same client; registering it twice would run its interceptors twice.
        if (services.Any(d => d.ServiceType == typeof(Registered<TClient>))) return services;
        services.AddSingleton<Registered<TClient>>();
        services.TryAddSingleton<ServiceCallInterceptor>();
        services.AddGrpcClient<TClient>((sp, client) => client.Address = sp.GetRequiredService<ServiceEndpoints>().Address(service))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<ServiceEndpoints>().Handler(service))
            // Before the propagation, which then keeps the earlier of this deadline and the incoming call's.
            .AddInterceptor(sp => sp.GetRequiredService<ServiceCallInterceptor>())
            .EnableCallContextPropagation(propagation => propagation.SuppressContextNotFoundErrors = true);
        return services;
    }

    private sealed class Registered<TClient>;
}

/// <summary>The credential, the default deadline and the no-call-inside-a-write rule of <see cref="ServiceClients"/>.</summary>
public sealed class ServiceCallInterceptor(IServiceCredential credential) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, Prepare(context));

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, Prepare(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, Prepare(context));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(Prepare(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(Prepare(context));

    private ClientInterceptorContext<TRequest, TResponse> Prepare<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class where TResponse : class
    {
        if (DatabaseSessions.InWrite)
            throw new InvalidOperationException(
                $"{context.Method.FullName} was called inside a database write: a remote call must not hold the writer; read before the write or act after its commit.");
        var options = context.Options;
        var headers = options.Headers ?? new Metadata();
        if (headers.Get("authorization") is null) headers.Add("Authorization", credential.AuthorizationHeader());
        options = options.WithHeaders(headers);
        // The network's real time, never the domain's clock (which tests and demos move).
        if (options.Deadline is null) options = options.WithDeadline(DateTime.UtcNow + ServiceClients.DefaultDeadline);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options);
    }
}
