using System.Threading.RateLimiting;

namespace Rectify.Identity.SignIn;

/// <summary>
/// Sign-in and token requests per remote address per minute, against password spraying across many accounts
/// (one account's own guessing is stopped by its lockout).
/// </summary>
public sealed class SignInThrottle(IdentityOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.SignInsPerMinutePerAddress,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public bool TryEnter(string? address)
    {
        using var lease = _limiter.AttemptAcquire(address ?? "unknown");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
