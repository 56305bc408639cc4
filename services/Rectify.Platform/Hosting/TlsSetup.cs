using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Rectify.Platform.Hosting;

/// <summary>
/// TLS on both sides: the certificate Kestrel serves (Rectify:Tls), the endpoints it listens on, and the
/// channels one service opens to another, which trust the deployment's CAs (Rectify:Tls:TrustedCaFile).
/// Everything that can be wrong with the files is refused at start with a message naming the setting.
/// </summary>
public static class TlsSetup
{
    /// <summary>One listening endpoint: an https one offers HTTP/1.1 and HTTP/2 by ALPN, so gRPC and JSON share it.</summary>
    public sealed record Endpoint(string Setting, Uri Url, bool Tls, HttpProtocols Protocols);

    /// <summary>The endpoints GrpcUrl and HttpUrl ask for, checked against whether a certificate is configured.</summary>
    public static IReadOnlyList<Endpoint> Endpoints(RectifyOptions options, bool hasCertificate)
    {
        var grpc = Parse("Rectify:GrpcUrl", options.GrpcUrl);
        var http = string.IsNullOrWhiteSpace(options.HttpUrl) ? null : Parse("Rectify:HttpUrl", options.HttpUrl);
        List<Endpoint> endpoints = [For("Rectify:GrpcUrl", grpc, HttpProtocols.Http2)];
        if (http is not null)
        {
            if (http.Port == grpc.Port && SameHost(http, grpc))
            {
                // Cleartext cannot tell HTTP/1.1 from HTTP/2 on one port; TLS can, by ALPN.
                if (!(IsHttps(http) && IsHttps(grpc)))
                    throw new InvalidOperationException($"Rectify:GrpcUrl and Rectify:HttpUrl ({grpc}, {http}) may share a port only over https.");
            }
            else endpoints.Add(For("Rectify:HttpUrl", http, HttpProtocols.Http1));
        }
        if (hasCertificate && !endpoints.Any(e => e.Tls))
            throw new InvalidOperationException(
                "Rectify:Tls:CertificateFile is set but neither Rectify:GrpcUrl nor Rectify:HttpUrl is an https:// URL: nothing would be served over TLS.");
        return endpoints;

        Endpoint For(string setting, Uri url, HttpProtocols cleartext)
        {
            if (!IsHttps(url)) return new Endpoint(setting, url, false, cleartext);
            if (!hasCertificate)
                throw new InvalidOperationException(
                    $"{setting} is {url.GetLeftPart(UriPartial.Authority)}, but https needs a certificate and none is configured: set Rectify:Tls:CertificateFile " +
                    "(a PEM certificate with Rectify:Tls:KeyFile, or a .pfx with Rectify:Tls:Password), or use an http:// URL.");
            return new Endpoint(setting, url, true, HttpProtocols.Http1AndHttp2);
        }
    }

    /// <summary>The server certificate with its private key, or null when Rectify:Tls:CertificateFile is not set.</summary>
    public static X509Certificate2? ServerCertificate(TlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            if (!string.IsNullOrWhiteSpace(tls.KeyFile))
                throw new InvalidOperationException("Rectify:Tls:KeyFile is set without Rectify:Tls:CertificateFile.");
            return null;
        }
        var certificateFile = Readable("Rectify:Tls:CertificateFile", tls.CertificateFile);
        var keyFile = string.IsNullOrWhiteSpace(tls.KeyFile) ? null : Readable("Rectify:Tls:KeyFile", tls.KeyFile);
        X509Certificate2 certificate;
        try
        {
            if (keyFile is not null)
            {
                using var pem = string.IsNullOrEmpty(tls.Password)
                    ? X509Certificate2.CreateFromPemFile(certificateFile, keyFile)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificateFile, tls.Password, keyFile);
                // A PEM key is ephemeral; TLS stacks (Windows' above all) want it as a PKCS#12-backed one.
                certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            else certificate = X509CertificateLoader.LoadPkcs12FromFile(certificateFile, tls.Password);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            var what = keyFile is null ? $"the PKCS#12 file {certificateFile} (wrong Rectify:Tls:Password? a PEM certificate needs Rectify:Tls:KeyFile)"
                : $"the PEM certificate {certificateFile} with the key {keyFile}";
            throw new InvalidOperationException($"Rectify:Tls: cannot load {what}: {e.Message}", e);
        }
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"Rectify:Tls: {certificateFile} holds no private key for the certificate.");
        return certificate;
    }

    /// <summary>The CA certificates of Rectify:Tls:TrustedCaFile, or null when it is not set (the system's trust store then).</summary>
    public static X509Certificate2Collection? TrustedAuthorities(TlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.TrustedCaFile)) return null;
        var file = Readable("Rectify:Tls:TrustedCaFile", tls.TrustedCaFile);
        var authorities = new X509Certificate2Collection();
        try { authorities.ImportFromPemFile(file); }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Rectify:Tls:TrustedCaFile: cannot read {file} as PEM certificates: {e.Message}", e);
        }
        if (authorities.Count == 0) throw new InvalidOperationException($"Rectify:Tls:TrustedCaFile: {file} holds no PEM certificate.");
        return authorities;
    }

    /// <summary>
    /// The HTTP handler of a gRPC channel to another service. Over https the peer's chain must lead to one of the trusted CAs (or the
    /// system store without them) and its name must match; a call to this process's own endpoint also accepts
    /// this process's own certificate, which it may present under a name (a host name) other than loopback's.
    /// </summary>
    public static SocketsHttpHandler Handler(string url, TlsOptions tls, bool self)
    {
        // Straight to the other service, never through an HTTP_PROXY/HTTPS_PROXY from the environment: on an intranet
        // with a system-wide proxy the services' own calls must not leave through it.
        if (!url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            return new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true };
        var authorities = TrustedAuthorities(tls);
        var own = self ? ServerCertificate(tls)?.GetCertHash(HashAlgorithmName.SHA256) : null;
        var ssl = new SslClientAuthenticationOptions();
        if (authorities is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // No CRL, OCSP or issuer downloads: the intranet allows no outbound connection but the configured ones.
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            policy.CustomTrustStore.AddRange(authorities);
            ssl.CertificateChainPolicy = policy;
        }
        if (own is not null)
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(own));
        return new SocketsHttpHandler { SslOptions = ssl, UseProxy = false, EnableMultipleHttp2Connections = true };
    }

    private static Uri Parse(string setting, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"{setting} must be an http:// or https:// URL, not '{url}'.");
        return uri;
    }

    private static bool IsHttps(Uri url) => url.Scheme == Uri.UriSchemeHttps;

    private static bool SameHost(Uri a, Uri b) => string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    private static string Readable(string setting, string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InvalidOperationException($"{setting}: {full} does not exist.");
        try { using var _ = File.OpenRead(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: {full} cannot be read: {e.Message}", e);
        }
        return full;
    }
}
