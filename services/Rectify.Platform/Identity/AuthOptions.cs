using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Rectify.Platform.Identity;

/// <summary>Bearer token settings (section Rectify:Auth). HS256 with a shared key.</summary>
public sealed class AuthOptions
{
    /// <summary>
    /// For standalone mode and tests only: published in the README, so anyone can mint tokens with it.
    /// Distributed mode refuses to start without a key of its own.
    /// </summary>
    public const string DevelopmentSigningKey = "rectify-development-signing-key-not-for-production-use-0001";

    public string Issuer { get; set; } = "rectify";
    public string Audience { get; set; } = "rectify";
    public string? SigningKey { get; set; }

    public SymmetricSecurityKey Key(bool allowDevelopmentKey)
    {
        var key = SigningKey ?? (allowDevelopmentKey ? DevelopmentSigningKey : null)
            ?? throw new InvalidOperationException("Rectify:Auth:SigningKey is required outside standalone mode.");
        if (Encoding.UTF8.GetByteCount(key) < 32) throw new InvalidOperationException("Rectify:Auth:SigningKey must be at least 32 bytes.");
        return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key));
    }
}
