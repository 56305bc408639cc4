using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Rectify.Platform.Identity;

/// <summary>
/// The built-in issuer's signing key: an RSA private key in a PEM file, created on first use with owner-only access.
/// Tokens are signed with it (RS256); its public half is published as JWKS for whoever verifies them.
/// </summary>
public sealed class IssuerKey
{
    private IssuerKey(RSA rsa)
    {
        var parameters = rsa.ExportParameters(false);
        // The key id is the public key's own fingerprint, so a rotated key never reuses one.
        var kid = Base64UrlEncoder.Encode(SHA256.HashData([.. parameters.Modulus!, .. parameters.Exponent!]))[..16];
        SecurityKey = new RsaSecurityKey(rsa) { KeyId = kid };
        PublicKey = new RsaSecurityKey(parameters) { KeyId = kid };
        Credentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.RsaSha256);
    }

    public RsaSecurityKey SecurityKey { get; }
    public RsaSecurityKey PublicKey { get; }
    public SigningCredentials Credentials { get; }

    public JsonWebKey PublicJwk()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(PublicKey);
        jwk.Use = "sig";
        jwk.Alg = SecurityAlgorithms.RsaSha256;
        return jwk;
    }

    public static IssuerKey LoadOrCreate(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            try { rsa.ImportFromPem(File.ReadAllText(path)); }
            catch (ArgumentException e) { throw new InvalidOperationException($"Rectify:Auth:SigningKeyFile {path} holds no PEM RSA private key: {e.Message}"); }
            return new IssuerKey(rsa);
        }
        rsa.KeySize = 2048;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using var writer = new StreamWriter(file);
            writer.Write(pem);
        }
        return new IssuerKey(rsa);
    }
}
