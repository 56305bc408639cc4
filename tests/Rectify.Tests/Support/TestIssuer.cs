using Rectify.Kernel;
using System.Security.Claims;
using Rectify.Platform;
using Rectify.Platform.Identity;

namespace Rectify.Tests.Support;

/// <summary>
/// The built-in issuer's key for this test run: every test host is configured with it (Rectify:Auth:SigningKeyFile),
/// so a test signs its callers' tokens the way the identity service does, on SQLite and PostgreSQL alike.
/// </summary>
public static class TestIssuer
{
    public static string KeyFile { get; } = Path.Combine(Path.GetTempPath(), $"rectify-test-issuer-{Environment.ProcessId}.pem");

    public static IssuerKey Key { get; } = IssuerKey.LoadOrCreate(KeyFile);

    public static string Token(string org, Role role = Role.Officer, string subject = "tester", DateTimeOffset? now = null, TimeSpan? lifetime = null,
        IEnumerable<Claim>? extra = null) =>
        // Long-lived and from the wall clock by default: the fake clock may be moved months ahead within a test.
        TokenIssuer.Mint(Key.Credentials, "rectify", "rectify", subject, OrgCode.Parse(org), role,
            now ?? DateTimeOffset.UtcNow.AddDays(-1), lifetime ?? TimeSpan.FromDays(1000), extra);
}
