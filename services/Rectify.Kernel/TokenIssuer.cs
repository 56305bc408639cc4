using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Rectify.Kernel;

/// <summary>Mints bearer tokens: the identity service, a process's own service tokens, the CLI's development `token`, and tests.</summary>
public static class TokenIssuer
{
    public const string NameClaim = "name";
    public const string ClientClaim = "client_id";
    public const string OrgClaim = "org";
    public const string RoleClaim = "role";
    public const string DefaultAudience = "rectify";

    /// <summary>
    /// The published development key: anyone can mint with it, so only a standalone trial on SQLite with the in-memory
    /// bus accepts it (Rectify:Auth); never a deployment.
    /// </summary>
    public const string DevelopmentSigningKey = "rectify-development-signing-key-not-for-production-use-0001";
    public const string DevelopmentIssuer = "rectify-development";

    public static SymmetricSecurityKey DevelopmentKey() => new(Encoding.UTF8.GetBytes(DevelopmentSigningKey));

    public static string Mint(SigningCredentials credentials, string issuer, string audience, string subject, OrgCode org, Role role,
        DateTimeOffset now, TimeSpan lifetime, IEnumerable<Claim>? extra = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([
                new Claim("sub", subject),
                new Claim(OrgClaim, org.Value),
                new Claim(RoleClaim, role.ToString().ToLowerInvariant()),
                new Claim("jti", Guid.NewGuid().ToString("N")),
                .. extra ?? [],
            ]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = credentials,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>A token signed with the published development key: accepted only by standalone hosts on SQLite.</summary>
    public static string MintDevelopment(string subject, OrgCode org, Role role, DateTimeOffset now, TimeSpan lifetime) =>
        Mint(new SigningCredentials(DevelopmentKey(), SecurityAlgorithms.HmacSha256), DevelopmentIssuer, DefaultAudience, subject, org, role, now, lifetime);
}
