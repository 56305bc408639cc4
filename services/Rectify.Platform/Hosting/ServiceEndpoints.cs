using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Platform.Identity;

namespace Rectify.Platform.Hosting;

/// <summary>
/// How one service calls another over gRPC: where the other listens
/// (Rectify:Endpoints:{service}; by default this process's own gRPC endpoint,
/// which is where it is in standalone mode) and the service token the call
/// carries (<see cref="ServiceTokens"/>). Calls go over the network either way, so both modes run one code path.
/// </summary>
public sealed class ServiceEndpoints(RectifyOptions options, ServiceTokens tokens)
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new();

    public GrpcChannel Channel(string service)
    {
        var configured = options.Endpoints.GetValueOrDefault(service);
        var url = configured ?? Loopback(options.GrpcUrl);
        // Over https the peer must present a certificate of the deployment's CAs (Rectify:Tls:TrustedCaFile).
        return _channels.GetOrAdd(url, address => TlsSetup.Channel(address, options.Tls, self: configured is null));
    }

    /// <summary>Headers for a call made by the system itself (a consumer, a scheduler, a check another service asks for).</summary>
    public Metadata ServiceHeaders() => new() { { "Authorization", "Bearer " + tokens.Current() } };

    /// <summary>A listening address of "any interface" is called on loopback.</summary>
    private static string Loopback(string url)
    {
        var uri = new UriBuilder(url);
        if (uri.Host is "0.0.0.0" or "*" or "+" or "[::]") uri.Host = "127.0.0.1";
        return uri.Uri.ToString().TrimEnd('/');
    }
}
