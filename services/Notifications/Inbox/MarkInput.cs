using Rectify.Notifications.V1;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Inbox;

/// <summary>A notification to mark read or acknowledge (MarkRead, Acknowledge), checked: its id.</summary>
public sealed record MarkInput(string NotificationId)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static MarkInput Parse(MarkRequest request)
    {
        var v = new Violations();
        v.Check(Guid.TryParse(request.NotificationId, out _), "notification_id", "must be a notification id");
        v.ThrowIfAny();
        return new(request.NotificationId);
    }
}
