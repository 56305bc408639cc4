using System.Text;
using Microsoft.IdentityModel.Tokens;
using Rectify.Kernel;

namespace Rectify.Platform.Identity;

/// <summary>
/// Bearer tokens (section Rectify:Auth). The built-in issuer (the identity service) signs with a private key
/// (<see cref="SigningKeyFile"/>) and publishes the public half as JWKS; a process that does not hold the key trusts
/// it through <see cref="Authority"/> and gets its own service tokens there with client credentials. External
/// OpenID Connect issuers (a province's single sign-on) are trusted by discovery. No shared secret anywhere.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Access tokens are short so that a disabled account or a revoked client stops within this time.</summary>
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromMinutes(15);

    /// <summary>The built-in issuer's name (iss); in distributed mode, best the identity service's public URL.</summary>
    public string Issuer { get; set; } = "rectify";
    public string Audience { get; set; } = TokenIssuer.DefaultAudience;
    /// <summary>PEM private key (RSA) of the built-in issuer; standalone creates one in its data folder on first start.</summary>
    public string? SigningKeyFile { get; set; }
    /// <summary>The identity service's HTTP base URL, for processes that do not hold the signing key.</summary>
    public string? Authority { get; set; }
    /// <summary>Discovery documents over HTTPS only; turn off only on a loopback test bench.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>This process's own client credentials at <see cref="Authority"/>, for the calls it makes as the system.</summary>
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(12);
    /// <summary>Allowed difference between this machine's clock and an issuer's.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
    public List<ExternalIssuer> ExternalIssuers { get; set; } = [];

    /// <summary>The retired shared-secret setting: named only to refuse it with a clear message.</summary>
    public string? SigningKey { get; set; }
}
