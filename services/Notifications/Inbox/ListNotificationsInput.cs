using Rectify.Kernel;
using Rectify.Notifications.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Inbox;

/// <summary>A read of a unit's inbox, checked: the unit, the page, and a known kind (null for every kind).</summary>
public sealed record ListNotificationsInput(OrgCode Unit, bool UnreadOnly, string? Kind, Paging Page)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListNotificationsInput Parse(ListNotificationsRequest request)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var paging = v.Page(request.Page, 50, InboxService.MaxPageSize);
        if (!string.IsNullOrEmpty(request.Kind)) v.Check(InboxService.Kinds.Contains(request.Kind), "kind", $"must be one of {string.Join(", ", InboxService.Kinds)}");
        v.ThrowIfAny();
        return new(unit!.Value, request.UnreadOnly, string.IsNullOrEmpty(request.Kind) ? null : request.Kind, paging);
    }
}
