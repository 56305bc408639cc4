using Rectify.Kernel;
using Rectify.Notifications.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Inbox;

/// <summary>A read of where a unit's notifications were delivered, checked: the unit, and a notification id when one is given (null for all).</summary>
public sealed record ListDeliveriesInput(OrgCode Unit, string? NotificationId)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListDeliveriesInput Parse(ListDeliveriesRequest request)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        if (!string.IsNullOrEmpty(request.NotificationId))
            v.Check(Guid.TryParse(request.NotificationId, out _), "notification_id", "must be a notification id");
        v.ThrowIfAny();
        return new(unit!.Value, string.IsNullOrEmpty(request.NotificationId) ? null : request.NotificationId);
    }
}
