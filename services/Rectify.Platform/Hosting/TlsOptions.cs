namespace Rectify.Platform.Hosting;

/// <summary>Section Rectify:Tls: the certificate Kestrel serves https with, and the CAs this process trusts when it calls another service.</summary>
public sealed class TlsOptions
{
    /// <summary>The certificate: a PEM file (with <see cref="KeyFile"/>) or a PKCS#12 (.pfx) file (without it).</summary>
    public string? CertificateFile { get; set; }
    /// <summary>The PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }
    /// <summary>The PFX's password, or the password of an encrypted PEM key.</summary>
    public string? Password { get; set; }
    /// <summary>
    /// PEM bundle of the deployment's CA certificates: another service's certificate must chain to one of them.
    /// Unset: the operating system's trust store.
    /// </summary>
    public string? TrustedCaFile { get; set; }
}
