using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Rectify.Platform.Identity;

/// <summary>Mints bearer tokens: the identity service, a process's own service tokens, the CLI's development `token`, and tests.</summary>
public static class TokenIssuer
{
    public const string NameClaim = "name";
    public const string ClientClaim = "client_id";

    public static string Mint(SigningCredentials credentials, string issuer, string audience, string subject, OrgCode org, Role role,
        DateTimeOffset now, TimeSpan lifetime, IEnumerable<Claim>? extra = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([
                new Claim("sub", subject),
                new Claim(Caller.OrgClaim, org.Value),
                new Claim(Caller.RoleClaim, role.ToString().ToLowerInvariant()),
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
        Mint(new SigningCredentials(AuthOptions.DevelopmentKey(), SecurityAlgorithms.HmacSha256), AuthOptions.DevelopmentIssuer,
            new AuthOptions().Audience, subject, org, role, now, lifetime);
}
