using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rectify.Kernel;
using Rectify.Platform.Hosting;

namespace Rectify.Platform.Identity;

/// <summary>
/// Which tokens a process accepts. One bearer scheme forwards each token, by its issuer, to the scheme that
/// validates it: the built-in issuer (by the key this process holds, or by the authority's JWKS), each configured
/// external OpenID Connect issuer (by discovery, claims mapped to org and role), and in a standalone trial on
/// SQLite the published development key. Lifetimes are checked on the injected clock.
/// </summary>
public static class Authentication
{
    public const string Scheme = "Bearer";
    private const string BuiltIn = "rectify";
    private const string Development = "rectify-development";
    private static string External(int i) => $"external-{i}";

    public static void AddRectifyAuthentication(this IServiceCollection services, RectifyOptions options, IssuerKey? key)
    {
        var auth = options.Auth;
        var builder = services.AddAuthentication(Scheme).AddPolicyScheme(Scheme, "Rectify bearer tokens", policy =>
            policy.ForwardDefaultSelector = context => SchemeFor(context, options));

        builder.AddJwtBearer(BuiltIn, jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = Parameters(auth.Issuer, auth.Audience, auth.ClockSkew);
            if (key is not null) jwt.TokenValidationParameters.IssuerSigningKey = key.PublicKey;
            else
            {
                // The identity service runs elsewhere: its keys come from its discovery document and JWKS.
                jwt.Authority = auth.Authority;
                jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            }
            jwt.Events = Events(roles: null);
        });
        if (options.AcceptsDevelopmentKey)
            builder.AddJwtBearer(Development, jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = Parameters(TokenIssuer.DevelopmentIssuer, auth.Audience, auth.ClockSkew);
                jwt.TokenValidationParameters.IssuerSigningKey = TokenIssuer.DevelopmentKey();
                jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                jwt.Events = Events(roles: null);
            });
        for (var i = 0; i < auth.ExternalIssuers.Count; i++)
        {
            var external = auth.ExternalIssuers[i];
            builder.AddJwtBearer(External(i), jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.Authority = external.Authority;
                jwt.RequireHttpsMetadata = external.RequireHttpsMetadata;
                jwt.TokenValidationParameters = Parameters(external.EffectiveIssuer, external.Audience, auth.ClockSkew);
                jwt.Events = Events(external);
            });
        }

        // Token lifetimes on the injected clock, like every other time in Rectify.
        foreach (var scheme in new[] { BuiltIn, Development }.Concat(auth.ExternalIssuers.Select((_, i) => External(i))))
            services.AddOptions<JwtBearerOptions>(scheme).Configure<TimeProvider>((jwt, clock) =>
                jwt.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
                {
                    var now = clock.GetUtcNow().UtcDateTime;
                    return expires is { } end && end > now - parameters.ClockSkew && (notBefore is not { } start || start <= now + parameters.ClockSkew);
                });
        services.AddAuthorization();
    }

    private static TokenValidationParameters Parameters(string issuer, string audience, TimeSpan skew) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        NameClaimType = "sub",
        RoleClaimType = TokenIssuer.RoleClaim,
        ClockSkew = skew,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
    };

    /// <summary>Chooses the validating scheme by the token's (not yet trusted) issuer; validation itself decides.</summary>
    private static string SchemeFor(HttpContext context, RectifyOptions options)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return BuiltIn;
        string issuer;
        try { issuer = new JsonWebToken(header["Bearer ".Length..].Trim()).Issuer; }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException) { return BuiltIn; }
        if (issuer == TokenIssuer.DevelopmentIssuer && options.AcceptsDevelopmentKey) return Development;
        var external = options.Auth.ExternalIssuers.FindIndex(e => e.EffectiveIssuer == issuer);
        return external >= 0 ? External(external) : BuiltIn;
    }

    private static JwtBearerEvents Events(ExternalIssuer? roles) => new()
    {
        OnTokenValidated = context =>
        {
            if (roles is not null) MapExternalClaims(context, roles);
            return Task.CompletedTask;
        },
        OnAuthenticationFailed = context =>
        {
            context.HttpContext.RequestServices.GetRequiredService<SecurityEvents>().Record(new SecurityEvent(
                SecurityEvent.TokenRejected, "(unauthenticated)", null, context.Exception.GetType().Name + ": " + FirstLine(context.Exception.Message),
                context.HttpContext.Connection.RemoteIpAddress?.ToString()));
            return Task.CompletedTask;
        },
    };

    /// <summary>
    /// An external issuer's token becomes a caller with only what Rectify reads: who, which unit, which role. An external
    /// issuer can never make a caller the system itself.
    /// </summary>
    private static void MapExternalClaims(TokenValidatedContext context, ExternalIssuer external)
    {
        var principal = context.Principal!;
        var subject = principal.FindFirst(external.SubjectClaim)?.Value;
        var org = principal.FindFirst(external.OrgClaim)?.Value;
        var role = principal.FindFirst(external.RoleClaim)?.Value;
        if (role is not null && external.Roles.TryGetValue(role, out var mapped)) role = mapped;
        if (subject is null || org is null || role is null || string.Equals(role, nameof(Role.Service), StringComparison.OrdinalIgnoreCase))
        {
            context.Fail($"A token from {external.EffectiveIssuer} must carry {external.SubjectClaim}, {external.OrgClaim} and a person's {external.RoleClaim}.");
            return;
        }
        var claims = new List<Claim> { new("sub", subject), new(TokenIssuer.OrgClaim, org), new(TokenIssuer.RoleClaim, role), new("iss", external.EffectiveIssuer) };
        if (principal.FindFirst("exp") is { } exp) claims.Add(exp);
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, context.Scheme.Name, "sub", TokenIssuer.RoleClaim));
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
