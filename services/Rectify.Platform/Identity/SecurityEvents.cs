using Microsoft.Extensions.Logging;

namespace Rectify.Platform.Identity;

/// <summary>Something a security officer must be able to find later: who, what, from where.</summary>
public sealed record SecurityEvent(string Kind, string Subject, string? Org, string Detail, string? Remote)
{
    public const string LoginSucceeded = "LOGIN_SUCCEEDED";
    public const string LoginFailed = "LOGIN_FAILED";
    public const string LoginRateLimited = "LOGIN_RATE_LIMITED";
    public const string AccountLocked = "ACCOUNT_LOCKED";
    public const string AccessDenied = "ACCESS_DENIED";
    public const string TokenRejected = "TOKEN_REJECTED";
    public const string TokenRevoked = "TOKEN_REVOKED";
    public const string RefreshTokenReused = "REFRESH_TOKEN_REUSED";
    public const string AccountCreated = "ACCOUNT_CREATED";
    public const string AccountDisabled = "ACCOUNT_DISABLED";
    public const string AccountEnabled = "ACCOUNT_ENABLED";
    public const string PasswordChanged = "PASSWORD_CHANGED";
    public const string PasswordReset = "PASSWORD_RESET";
    public const string ClientCreated = "CLIENT_CREATED";
    public const string ClientRevoked = "CLIENT_REVOKED";
    public const string ClientTokenRefused = "CLIENT_TOKEN_REFUSED";
    public const string Bootstrapped = "BOOTSTRAPPED";
}

/// <summary>Where the identity service keeps security events so an admin can list them; a process without it only logs.</summary>
public interface ISecurityEventStore
{
    void Enqueue(SecurityEvent securityEvent, DateTimeOffset at);
}

/// <summary>
/// Every security event is a structured log entry (in every process) and, where the identity service runs in the
/// process, a stored row too.
/// </summary>
public sealed class SecurityEvents(ILogger<SecurityEvents> logger, TimeProvider clock, IEnumerable<ISecurityEventStore> stores)
{
    public void Record(SecurityEvent e)
    {
        logger.LogWarning("Security event {Kind}: {Subject} of {Org}: {Detail} (from {Remote})", e.Kind, e.Subject, e.Org ?? "-", e.Detail, e.Remote ?? "-");
        var at = clock.GetUtcNow();
        foreach (var store in stores) store.Enqueue(e, at);
    }
}
