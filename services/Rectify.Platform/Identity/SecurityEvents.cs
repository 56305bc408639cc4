using Microsoft.Extensions.Logging;

namespace Rectify.Platform.Identity;

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
