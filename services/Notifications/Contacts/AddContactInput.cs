using Rectify.Kernel;
using Rectify.Notifications.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Contacts;

/// <summary>A new contact of a unit, checked: its name, channel, address, the secret its channel needs, and quiet hours given in full or not at all.</summary>
public sealed record AddContactInput(OrgCode Unit, string Name, ChannelKind Kind, string Url, string? Secret, string? QuietFrom, string? QuietUntil)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static AddContactInput Parse(AddContactRequest request)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var name = v.Text("name", request.Name, 100);
        v.Check(Enum.IsDefined(request.Kind) && request.Kind != ChannelKind.Unspecified, "kind", "must be webhook, wecom or dingtalk");
        var url = ContactFields.Url(v, request.Url);
        var secret = v.Text("secret", request.Secret, 200, required: request.Kind is ChannelKind.Webhook or ChannelKind.Dingtalk);
        var quietFrom = ContactFields.QuietTime(v, "quiet_from", request.QuietFrom);
        var quietUntil = ContactFields.QuietTime(v, "quiet_until", request.QuietUntil);
        v.Check((quietFrom is null) == (quietUntil is null), "quiet_until", "quiet hours need both a start and an end");
        v.ThrowIfAny();
        return new(unit!.Value, name!, request.Kind, url!, secret, quietFrom, quietUntil);
    }
}
