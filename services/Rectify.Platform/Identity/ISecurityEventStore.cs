namespace Rectify.Platform.Identity;

/// <summary>Where the identity service keeps security events so an admin can list them; a process without it only logs.</summary>
public interface ISecurityEventStore
{
    void Enqueue(SecurityEvent securityEvent, DateTimeOffset at);
}
