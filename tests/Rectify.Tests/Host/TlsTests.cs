using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Gateway;
using Rectify.Tests.Support;

namespace Rectify.Tests.Host;

/// <summary>
/// HTTPS on real Kestrel with a certificate of a CA made by the test: gRPC (HTTP/2) and JSON (HTTP/1.1) on one port by
/// ALPN, a client that does not trust the CA refused, an https URL without a certificate refused at start, and one
/// service calling another over https with the deployment's CA as its only trust.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string County = "360731000000";
    private readonly Pki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static Dictionary<string, string?> Pem(Pki.Issued server, Pki? trust = null) => new()
    {
        ["Rectify:Tls:CertificateFile"] = server.CertificateFile,
        ["Rectify:Tls:KeyFile"] = server.KeyFile,
        ["Rectify:Tls:TrustedCaFile"] = (trust ?? server.Authority).CaFile,
    };

    /// <summary>A client handler that trusts exactly <paramref name="ca"/>, or the system's store when null.</summary>
    private static SocketsHttpHandler Handler(X509Certificate2? ca)
    {
        var handler = new SocketsHttpHandler();
        if (ca is null) return handler;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        return handler;
    }

    private static CallInvoker Bearer(GrpcChannel channel, string token) =>
        channel.Intercept(metadata => { metadata.Add("Authorization", "Bearer " + token); return metadata; });

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string url, Version version, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Grpc_and_JSON_share_one_https_port_with_the_CA_trusted()
    {
        var server = _pki.Issue("localhost", IPAddress.Loopback);
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, GatewaySpec.Modules(), Pem(server), https: true);
        Assert.StartsWith("https://", host.GrpcUrl);
        Assert.Equal(host.GrpcUrl, host.HttpUrl);

        // gRPC (HTTP/2 by ALPN) through a client that trusts the test's CA and nothing else.
        using var channel = GrpcChannel.ForAddress(host.GrpcUrl, new GrpcChannelOptions { HttpHandler = Handler(_pki.Ca) });
        var organizations = new OrganizationService.OrganizationServiceClient(Bearer(channel, TestHost.Token("000000000000", Role.Service)));
        using (var import = organizations.ImportUnits(cancellationToken: TestContext.Current.CancellationToken))
        {
            await import.RequestStream.WriteAsync(new ImportUnitRow { Code = "360000000000", Name = "江西省" }, TestContext.Current.CancellationToken);
            await import.RequestStream.CompleteAsync();
            await import;
        }
        Assert.Equal("江西省", (await organizations.GetUnitAsync(new GetUnitRequest { Code = "360000000000" }, cancellationToken: TestContext.Current.CancellationToken)).Name);

        // JSON and /healthz on the same port, over HTTP/1.1; HTTP/2 is offered there too.
        using var http = new HttpClient(Handler(_pki.Ca)) { BaseAddress = new Uri(host.GrpcUrl) };
        using (var health = await GetAsync(http, "/healthz", HttpVersion.Version11))
        {
            Assert.Equal((HttpStatusCode.OK, HttpVersion.Version11), (health.StatusCode, health.Version));
            // Degraded is possible for a moment at a first start (the gateway rebuilding its empty read model): ready either way.
            Assert.Contains(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), new[] { "Healthy", "Degraded" });
        }
        using (var health = await GetAsync(http, "/healthz", HttpVersion.Version20))
            Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (health.StatusCode, health.Version));
        var today = host.Clock.Today();
        using var progress = await GetAsync(http, $"/v1/progress/{County}/{today.Year}/{today.Month}", HttpVersion.Version11, TestHost.Token(County));
        Assert.Equal(HttpStatusCode.OK, progress.StatusCode);
        using var json = JsonDocument.Parse(await progress.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(County, json.RootElement.GetProperty("unitCode").GetString());
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_CA_is_refused()
    {
        var server = _pki.Issue("localhost", IPAddress.Loopback);
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, settings: Pem(server), https: true);

        using var channel = GrpcChannel.ForAddress(host.GrpcUrl, new GrpcChannelOptions { HttpHandler = Handler(null) });
        // The handshake fails in the client (grpc-dotnet reports it as Internal: the call never started).
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new OrganizationService.OrganizationServiceClient(Bearer(channel, TestHost.Token(County)))
            .GetUnitAsync(new GetUnitRequest { Code = County }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("The SSL connection could not be established", refused.Status.Detail);

        // Another CA is no better than none.
        using var other = new Pki();
        using var http = new HttpClient(Handler(other.Ca)) { BaseAddress = new Uri(host.HttpUrl) };
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(http, "/healthz", HttpVersion.Version11));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(e.InnerException);
    }

    [Fact]
    public async Task An_https_url_without_a_certificate_refuses_to_start_and_says_why()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite, https: true));
        Assert.Contains("https needs a certificate", e.Message);
        Assert.Contains("Rectify:Tls:CertificateFile", e.Message);
    }

    [Fact]
    public async Task A_missing_or_unreadable_certificate_refuses_to_start_and_says_why()
    {
        var server = _pki.Issue("localhost", IPAddress.Loopback);
        var missing = Path.Combine(_pki.Directory, "nowhere.pem");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite,
            settings: new Dictionary<string, string?> { ["Rectify:Tls:CertificateFile"] = missing, ["Rectify:Tls:KeyFile"] = server.KeyFile }, https: true));
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);

        var garbage = Path.Combine(_pki.Directory, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "not a certificate", TestContext.Current.CancellationToken);
        e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite,
            settings: new Dictionary<string, string?> { ["Rectify:Tls:CertificateFile"] = garbage, ["Rectify:Tls:KeyFile"] = server.KeyFile }, https: true));
        Assert.Contains("cannot load", e.Message);

        e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite,
            settings: new Dictionary<string, string?> { ["Rectify:Tls:CertificateFile"] = server.PfxFile, ["Rectify:Tls:Password"] = "wrong" }, https: true));
        Assert.Contains("Rectify:Tls:Password", e.Message);

        // A certificate with only cleartext URLs would serve nothing over TLS: refused too.
        e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(DbProvider.Sqlite, settings: Pem(server)));
        Assert.Contains("neither Rectify:GrpcUrl nor Rectify:HttpUrl is an https:// URL", e.Message);
    }

    [Fact]
    public async Task A_pfx_with_its_password_serves_https()
    {
        var server = _pki.Issue("localhost", IPAddress.Loopback);
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, https: true, settings: new Dictionary<string, string?>
        {
            ["Rectify:Tls:CertificateFile"] = server.PfxFile, ["Rectify:Tls:Password"] = Pki.PfxPassword,
        });
        using var http = new HttpClient(Handler(_pki.Ca)) { BaseAddress = new Uri(host.HttpUrl) };
        using var health = await GetAsync(http, "/healthz", HttpVersion.Version11);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>The dashboard's live parts are read from measures and reporting through ServiceEndpoints' channels.</summary>
    private static async Task<Dictionary<string, string>> DashboardPartsAsync(TestHost gateway, HttpMessageHandler handler, Uri? address = null)
    {
        using var http = new HttpClient(handler) { BaseAddress = address ?? new Uri(gateway.HttpUrl) };
        var today = gateway.Clock.Today();
        using var response = await GetAsync(http, $"/v1/dashboard/{County}/{today.Year}/{today.Month}", HttpVersion.Version11, TestHost.Token(County));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return json.RootElement.GetProperty("parts").EnumerateArray().ToDictionary(
            p => p.GetProperty("name").GetString()!,
            p => p.TryGetProperty("available", out var a) && a.GetBoolean() ? "available" : p.GetProperty("problem").GetString()!);
    }

    [Fact]
    public async Task A_service_calls_another_over_https_trusting_only_the_deployments_CA()
    {
        // Measures and reporting on one https host; the gateway on another, calling them by Rectify:Endpoints.
        var server = _pki.Issue("localhost", IPAddress.Loopback);
        await using var services = await TestHost.StartAsync(DbProvider.Sqlite,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new Rectify.Reporting.ReportingModule()], Pem(server), https: true);
        Dictionary<string, string?> Gateway(Pki trust) => new()
        {
            ["Rectify:Endpoints:measures"] = services.GrpcUrl, ["Rectify:Endpoints:reporting"] = services.GrpcUrl, ["Rectify:Tls:TrustedCaFile"] = trust.CaFile,
        };

        await using (var trusting = await TestHost.StartAsync(DbProvider.Sqlite, [new Rectify.Gateway.GatewayModule()], Gateway(_pki)))
            Assert.Equal(["available", "available"], (await DashboardPartsAsync(trusting, new SocketsHttpHandler())).Values);

        // Validation is on: trusting another CA, the same calls are refused at the handshake.
        using var other = new Pki();
        await using var distrusting = await TestHost.StartAsync(DbProvider.Sqlite, [new Rectify.Gateway.GatewayModule()], Gateway(other));
        Assert.All((await DashboardPartsAsync(distrusting, new SocketsHttpHandler())).Values,
            problem => Assert.Contains("remote certificate is invalid because of errors in the certificate chain", problem));
    }

    [Fact]
    public async Task A_standalone_host_calls_itself_over_https_even_where_its_certificate_names_only_its_host_name()
    {
        // The certificate names localhost, not 127.0.0.1, where the host calls itself: its own certificate is accepted there.
        var server = _pki.Issue("localhost");
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, GatewaySpec.Modules(), Pem(server), https: true);
        var parts = await DashboardPartsAsync(host, Handler(_pki.Ca), new Uri(host.HttpUrl.Replace("127.0.0.1", "localhost")));
        Assert.Equal(["available", "available"], parts.Values);
    }
}

/// <summary>A certificate authority made for one test, and the server certificates it issues, as PEM and PFX files.</summary>
internal sealed class Pki : IDisposable
{
    public const string PfxPassword = "整顿-test-pfx";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public Pki()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var request = new CertificateRequest("CN=Rectify test CA", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "rectify-tls-" + Guid.NewGuid().ToString("N"));
    public X509Certificate2 Ca { get; }
    public string CaFile => Path.Combine(Directory, "ca.pem");

    public sealed record Issued(Pki Authority, string CertificateFile, string KeyFile, string PfxFile);

    /// <summary>A server certificate for <paramref name="dnsName"/> and the given addresses, signed by this CA.</summary>
    public Issued Issue(string dnsName, params IPAddress[] addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        foreach (var address in addresses) names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        var stem = Path.Combine(Directory, Guid.NewGuid().ToString("N"));
        File.WriteAllText(stem + ".crt.pem", withKey.ExportCertificatePem());
        File.WriteAllText(stem + ".key.pem", key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(stem + ".pfx", withKey.Export(X509ContentType.Pkcs12, PfxPassword));
        return new Issued(this, stem + ".crt.pem", stem + ".key.pem", stem + ".pfx");
    }

    public void Dispose()
    {
        Ca.Dispose();
        _key.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
