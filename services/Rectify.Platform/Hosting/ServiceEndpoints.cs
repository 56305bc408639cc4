using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Platform.Identity;

namespace Rectify.Platform.Hosting;

/// <summary>
/// How one service calls another over gRPC: where the other listens
/// (Rectify:Endpoints:{service}; by default this process's own gRPC endpoint,
/// which is where it is in standalone mode) and the service token the call
/// carries. Calls go over the network either way, so both modes run one code path.
/// </summary>
public sealed class ServiceEndpoints(RectifyOptions options)
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new();
    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset RenewAfter)? _token;

    public GrpcChannel Channel(string service)
    {
        var url = options.Endpoints.GetValueOrDefault(service) ?? Loopback(options.GrpcUrl);
        // Straight to the other service, never through an HTTP_PROXY/HTTPS_PROXY from the environment: on an intranet
        // with a system-wide proxy the services' own calls must not leave through it.
        return _channels.GetOrAdd(url, address => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
        }));
    }

    /// <summary>Headers for a call made by the system itself (a consumer, a scheduler, a check another service asks for).</summary>
    public Metadata ServiceHeaders()
    {
        // The JWT library checks lifetimes against the wall clock, so the token is minted on it too.
        var now = TimeProvider.System.GetUtcNow();
        lock (_lock)
        {
            if (_token is not { } current || now > current.RenewAfter)
            {
                var token = TokenIssuer.Mint(options.Auth.Key(options.Mode == RunMode.Standalone), options.Auth.Issuer, options.Auth.Audience,
                    "rectify-service", OrgCode.Nation, Role.Service, now.AddMinutes(-5), TokenLifetime);
                _token = current = (token, now + TokenLifetime / 2);
            }
            return new Metadata { { "Authorization", "Bearer " + current.Token } };
        }
    }

    /// <summary>A listening address of "any interface" is called on loopback.</summary>
    private static string Loopback(string url)
    {
        var uri = new UriBuilder(url);
        if (uri.Host is "0.0.0.0" or "*" or "+" or "[::]") uri.Host = "127.0.0.1";
        return uri.Uri.ToString().TrimEnd('/');
    }
}
