using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rectify.Platform.Hosting;
using Yarp.ReverseProxy.Forwarder;

namespace Rectify.Gateway.Api;

/// <summary>
/// The browser talks only to the gateway's process. A JSON call to /v1/{service}/… for a service this process does not
/// host is forwarded, as it came, to that service's process at Rectify:Endpoints:{service} over HTTP/2 (the services'
/// gRPC endpoint answers the JSON routes too): the person's token goes along and each service checks it itself;
/// the gateway adds nothing. Locally hosted routes are literal and so match before this one.
/// </summary>
public static class JsonForwarding
{
    /// <summary>The first path segment of every service's JSON routes, from the contracts: /v1/organizations/… → organizations.</summary>
    private static readonly FrozenSet<string> Services = ApiDocument.Routes()
        .Select(r => ApiDocument.VerbAndPath(r.Rule).Path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        .Where(s => s.Length > 1 && s[0] == "v1")
        .Select(s => s[1])
        .ToFrozenSet(StringComparer.Ordinal);

    public static IServiceCollection AddJsonForwarding(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<Forwarding>();
        return services;
    }

    public static IEndpointRouteBuilder MapJsonForwarding(this IEndpointRouteBuilder endpoints)
    {
        // After the literal routes of the services hosted here, before the pages' catch-all (order 1000).
        endpoints.Map("/v1/{service}/{**rest}", (HttpContext http, string service, Forwarding forwarding) => forwarding.ForwardAsync(http, service))
            .WithOrder(900)
            .WithDisplayName("JSON forwarding");
        return endpoints;
    }

    internal sealed class Forwarding(IHttpForwarder forwarder, RectifyOptions options, ServiceEndpoints addresses, EndpointDataSource routes, ILogger<Forwarding> log)
    {
        private readonly ConcurrentDictionary<string, HttpMessageInvoker> _clients = new(StringComparer.Ordinal);
        private readonly Lazy<FrozenSet<string>> _hosted = new(() => Hosted(routes));
        private static readonly ForwarderRequestConfig Http2 = new() { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        public async Task ForwardAsync(HttpContext http, string service)
        {
            // Only a known service, not hosted here, with an address of its own: anything else would be forwarded to
            // this very process (the default address) and come back here.
            if (!Services.Contains(service) || _hosted.Value.Contains(service) || !options.Endpoints.ContainsKey(service))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            // A service refuses a missing or bad token at once, before it reads the body, and over HTTP/2 an answer that early
            // reaches the forwarder as a failed upload: the person got 502 instead of 401 (and the page could not refresh its
            // token). The gateway checks tokens as every service does, so it answers those itself. Only identity has
            // anonymous routes (sign-in), and they read the body.
            if (service != "identity" && http.User.Identity?.IsAuthenticated != true)
            {
                await http.ChallengeAsync();
                return;
            }
            var client = _clients.GetOrAdd(service, s => new HttpMessageInvoker(addresses.Handler(s), disposeHandler: true));
            var error = await forwarder.SendAsync(http, addresses.Address(service).ToString().TrimEnd('/'), client, Http2, AsSent.Instance);
            if (error == ForwarderError.None) return;
            log.LogWarning(http.Features.Get<IForwarderErrorFeature>()?.Exception, "Forwarding {Path} to {Service} failed: {Error}", http.Request.Path, service, error);
            if (!http.Response.HasStarted) http.Response.StatusCode = StatusCodes.Status502BadGateway;
        }

        /// <summary>The services whose JSON routes this process maps itself (literal /v1/{service}/… routes).</summary>
        private static FrozenSet<string> Hosted(EndpointDataSource routes) => routes.Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.PathSegments)
            .Where(s => s.Count > 2 && Literal(s[0]) == "v1" && Literal(s[1]) is not null)
            .Select(s => Literal(s[1])!)
            .ToFrozenSet(StringComparer.Ordinal);

        private static string? Literal(RoutePatternPathSegment segment) =>
            segment.Parts is [RoutePatternLiteralPart literal] ? literal.Content : null;
    }

    /// <summary>The request as the person sent it (their Authorization included), to the service's own authority: no X-Forwarded-* added.</summary>
    private sealed class AsSent : HttpTransformer
    {
        public static readonly AsSent Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Host = null;
        }
    }
}
