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
