using Rectify.Kernel;
using Rectify.Notifications.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Contacts;

/// <summary>A read of a unit's contacts, checked: the unit.</summary>
public sealed record ListContactsInput(OrgCode Unit)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListContactsInput Parse(ListContactsRequest request)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        v.ThrowIfAny();
        return new(unit!.Value);
    }
}
