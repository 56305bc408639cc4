using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Rectify.Platform.Identity;

/// <summary>Mints bearer tokens: the CLI's `token` command, services calling services, and tests.</summary>
public static class TokenIssuer
{
    public static string Mint(SymmetricSecurityKey key, string issuer, string audience, string subject, OrgCode org, Role role, DateTimeOffset now, TimeSpan lifetime)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([
                new Claim("sub", subject),
                new Claim(Caller.OrgClaim, org.Value),
                new Claim(Caller.RoleClaim, role.ToString().ToLowerInvariant()),
            ]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static string Mint(AuthOptions options, string subject, OrgCode org, Role role, DateTimeOffset now, TimeSpan lifetime) =>
        Mint(options.Key(allowDevelopmentKey: true), options.Issuer, options.Audience, subject, org, role, now, lifetime);
}
