using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Rectify.Platform.Errors;

namespace Rectify.Identity.Accounts;

/// <summary>
/// People's passwords through ASP.NET Core Identity's hasher (PBKDF2-HMAC-SHA512, salted, versioned format with
/// rehash on upgrade): shipped and maintained with the framework, so no extra dependency to keep patched. Machine
/// secrets are 256 random bits, for which a plain SHA-256 is enough and cheap per token request.
/// </summary>
public static class Passwords
{
    private static readonly PasswordHasher<string> Hasher = new();
    /// <summary>Verified against when the user does not exist, so an unknown name costs what a wrong password does.</summary>
    private static readonly string Decoy = Hasher.HashPassword("", "decoy-password-never-matches");

    public const int MinLength = 10;

    public static string Hash(string password) => Hasher.HashPassword("", password);

    public static PasswordVerificationResult Verify(string? hash, string password)
    {
        var result = Hasher.VerifyHashedPassword("", hash ?? Decoy, password);
        return hash is null ? PasswordVerificationResult.Failed : result;
    }

    public static string? Check(Violations v, string field, string? password, string? userName)
    {
        if (string.IsNullOrEmpty(password)) { v.Add(field, "is required"); return null; }
        if (password.Length < MinLength || password.Length > 128) { v.Add(field, $"must be {MinLength} to 128 characters"); return null; }
        if (userName is not null && password.Contains(userName, StringComparison.OrdinalIgnoreCase)) { v.Add(field, "must not contain the user name"); return null; }
        if (password.Distinct().Count() < 4) { v.Add(field, "must use at least 4 different characters"); return null; }
        return password;
    }

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool SecretMatches(string secret, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashSecret(secret)), Encoding.ASCII.GetBytes(hash));
}
