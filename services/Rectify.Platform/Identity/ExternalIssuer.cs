namespace Rectify.Platform.Identity;

/// <summary>An OpenID Connect issuer whose tokens this deployment accepts (Rectify:Auth:ExternalIssuers:N).</summary>
public sealed class ExternalIssuer
{
    /// <summary>Base URL; its /.well-known/openid-configuration names the issuer and the JWKS.</summary>
    public string Authority { get; set; } = "";
    /// <summary>The iss value of its tokens; by default the authority URL.</summary>
    public string? Issuer { get; set; }
    public string Audience { get; set; } = "rectify";
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>Claim names in its tokens: who, which unit (a 12-digit division code), which role.</summary>
    public string SubjectClaim { get; set; } = "sub";
    public string OrgClaim { get; set; } = "org";
    public string RoleClaim { get; set; } = "role";
    /// <summary>Its role values to Rectify's (e.g. "zzb-officer": "officer"); unmapped values are taken as they are.</summary>
    public Dictionary<string, string> Roles { get; set; } = [];

    public string EffectiveIssuer => Issuer ?? Authority.TrimEnd('/');
}
