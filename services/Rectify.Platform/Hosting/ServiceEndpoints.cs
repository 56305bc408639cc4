using Rectify.Platform.Identity;

namespace Rectify.Platform.Hosting;

/// <summary>
/// Where one service calls another (Rectify:Endpoints:{service}; by default this process's own gRPC endpoint, which is
/// where it is in standalone mode) and how the connection is made (<see cref="TlsSetup.Handler"/>). Calls go over the
/// network either way, so both modes run one code path. Clients are taken by constructor: <see cref="ServiceClients"/>.
/// </summary>
public sealed class ServiceEndpoints(RectifyOptions options)
{
    public Uri Address(string service) => new(options.Endpoints.GetValueOrDefault(service) ?? Loopback(options.GrpcUrl));

    /// <summary>A call to this process's own endpoint also accepts its own certificate (see <see cref="TlsSetup.Handler"/>).</summary>
    public SocketsHttpHandler Handler(string service) =>
        TlsSetup.Handler(Address(service).ToString(), options.Tls, self: !options.Endpoints.ContainsKey(service));

    /// <summary>A listening address of "any interface" is called on loopback.</summary>
    private static string Loopback(string url)
    {
        var uri = new UriBuilder(url);
        if (uri.Host is "0.0.0.0" or "*" or "+" or "[::]") uri.Host = "127.0.0.1";
        return uri.Uri.ToString().TrimEnd('/');
    }
}
