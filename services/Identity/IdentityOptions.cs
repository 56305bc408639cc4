namespace Rectify.Identity;

/// <summary>Section Rectify:Identity: sign-in limits, the first admin's bootstrap, the services' own clients.</summary>
public sealed class IdentityOptions
{
    public const string Section = "Rectify:Identity";

    /// <summary>Sign-in and token requests accepted per minute from one address; more get ResourceExhausted (HTTP 429).</summary>
    public int SignInsPerMinutePerAddress { get; set; } = 20;
    /// <summary>Wrong passwords in a row before the account is locked.</summary>
    public int MaxFailedSignIns { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>A one-time code for the first admin; unset, one is generated and printed at start while no account exists.</summary>
    public string? BootstrapCode { get; set; }
    /// <summary>
    /// Each other service process's client secret by client id (e.g. "measures": "…"), given to that process as its
    /// Rectify:Auth:ClientId and ClientSecret: its calls as the system carry a token issued here.
    /// </summary>
    public Dictionary<string, string> ServiceClients { get; set; } = [];
}
