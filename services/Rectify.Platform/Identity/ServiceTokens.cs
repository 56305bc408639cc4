using Rectify.Kernel;
using System.Net.Http.Json;
using Rectify.Platform.Hosting;

namespace Rectify.Platform.Identity;

/// <summary>
/// The bearer token of the system itself, for calls a consumer, a scheduler or another service makes. A process that
/// holds the issuer key mints it; any other gets it from the identity service with its own client credentials
/// (OAuth2 client_credentials at the authority's token endpoint). Either way it is short-lived and renewed early.
/// </summary>
public sealed class ServiceTokens(RectifyOptions options, TimeProvider clock, IssuerKey? key = null) : IServiceCredential
{
    public const string ServiceSubject = "rectify-service";
    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset RenewAfter)? _current;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string AuthorizationHeader() => "Bearer " + Current();

    public string Current()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_current is { } current && now < current.RenewAfter) return current.Token;
            var lifetime = options.Auth.AccessTokenLifetime;
            var token = key is not null
                ? TokenIssuer.Mint(key.Credentials, options.Auth.Issuer, options.Auth.Audience, ServiceSubject, OrgCode.Nation, Role.Service, now, lifetime)
                : FromAuthority(out lifetime);
            _current = (token, now + lifetime / 2);
            return token;
        }
    }

    private string FromAuthority(out TimeSpan lifetime)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, options.Auth.Authority!.TrimEnd('/') + "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = options.Auth.ClientId!,
                ["client_secret"] = options.Auth.ClientSecret!,
            }),
        };
        // Rare (once per half token lifetime) and on a worker's own path, so a blocking send keeps every caller simple.
        using var response = Http.Send(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"The identity service refused this process's client credentials ({(int)response.StatusCode}).");
        var body = response.Content.ReadFromJsonAsync<TokenEndpointResponse>().GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("The identity service answered no token.");
        lifetime = TimeSpan.FromSeconds(body.ExpiresIn);
        return body.AccessToken;
    }
}
