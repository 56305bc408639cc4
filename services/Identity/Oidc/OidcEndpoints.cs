using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rectify.Identity.Clients;
using Rectify.Identity.SignIn;
using Rectify.Kernel;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;

namespace Rectify.Identity.Oidc;

/// <summary>
/// The built-in issuer as any OpenID Connect / OAuth2 party expects it: a discovery document, the public keys (JWKS),
/// and a token endpoint for machine clients (client_credentials, RFC 6749 §4.4). Other Rectify services find the
/// keys here through Rectify:Auth:Authority; so can any other verifier on the intranet.
/// </summary>
public static class OidcEndpoints
{
    public const string Discovery = "/.well-known/openid-configuration";
    public const string Jwks = "/.well-known/jwks.json";
    public const string Token = "/connect/token";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Discovery, (HttpContext http, RectifyOptions options) =>
        {
            var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = options.Auth.Issuer,
                ["jwks_uri"] = baseUrl + Jwks,
                ["token_endpoint"] = baseUrl + Token,
                ["grant_types_supported"] = new[] { "client_credentials" },
                ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post" },
                ["response_types_supported"] = new[] { "token" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["claims_supported"] = new[] { "sub", "name", TokenIssuer.OrgClaim, TokenIssuer.RoleClaim, TokenIssuer.ClientClaim },
            });
        });
        endpoints.MapGet(Jwks, (IssuerKey key) => Results.Json(new { keys = new[] { key.PublicJwk() } }));
        endpoints.MapPost(Token, IssueAsync).DisableAntiforgery();
    }

    private static async Task<IResult> IssueAsync(HttpContext http, ClientService clients, SignInThrottle throttle)
    {
        var remote = http.Connection.RemoteIpAddress?.ToString();
        if (!throttle.TryEnter(remote)) return Error("slow_down", "too many token requests from this address", StatusCodes.Status429TooManyRequests);
        if (!http.Request.HasFormContentType) return Error("invalid_request", "the body must be application/x-www-form-urlencoded");
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (form["grant_type"] != "client_credentials") return Error("unsupported_grant_type", "only client_credentials is offered here; people sign in over gRPC");
        var (id, secret) = Credentials(http.Request, form);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret)) return Error("invalid_client", "client_id and client_secret are required", StatusCodes.Status401Unauthorized);
        var issued = await clients.IssueAsync(id, secret, remote, http.RequestAborted);
        if (issued is not { } token) return Error("invalid_client", "unknown or revoked client, or wrong secret", StatusCodes.Status401Unauthorized);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new TokenEndpointResponse(token.Token, "Bearer", (int)token.Lifetime.TotalSeconds));
    }

    /// <summary>client_secret_basic (the Authorization header) or client_secret_post (form fields).</summary>
    private static (string? Id, string? Secret) Credentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = pair.IndexOf(':');
                if (colon > 0) return (Uri.UnescapeDataString(pair[..colon]), Uri.UnescapeDataString(pair[(colon + 1)..]));
            }
            catch (FormatException) { }
            return (null, null);
        }
        return (form["client_id"].ToString(), form["client_secret"].ToString());
    }

    private static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
