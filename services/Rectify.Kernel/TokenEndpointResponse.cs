using System.Text.Json.Serialization;

namespace Rectify.Kernel;

/// <summary>The answer of the identity service's token endpoint (OAuth2), as the services and the CLI read it.</summary>
public sealed record TokenEndpointResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);
