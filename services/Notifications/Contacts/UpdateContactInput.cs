using Rectify.Notifications.V1;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Contacts;

/// <summary>
/// The changes to a contact, checked: a null <see cref="Name"/>, <see cref="Url"/> or <see cref="Active"/> leaves it as it
/// is; <see cref="ChangesSecret"/> and <see cref="ChangesQuietHours"/> say whether the secret and the quiet hours (both
/// ends together) are set, a null value clearing them. What depends on the stored kind is checked against the row.
/// </summary>
public sealed record UpdateContactInput(string ContactId, string? Name, string? Url, bool ChangesSecret, string? Secret,
    bool ChangesQuietHours, string? QuietFrom, string? QuietUntil, bool? Active)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid; a bad id alone is answered first.</summary>
    public static UpdateContactInput Parse(UpdateContactRequest request)
    {
        var v = new Violations();
        if (!ContactFields.ContactId(v, request.ContactId)) v.ThrowIfAny();
        var name = request.HasName ? v.Text("name", request.Name, 100) : null;
        var url = request.HasUrl ? ContactFields.Url(v, request.Url) : null;
        var secret = request.HasSecret ? v.Text("secret", request.Secret, 200, required: false) : null;
        var quietFrom = request.HasQuietFrom ? ContactFields.QuietTime(v, "quiet_from", request.QuietFrom) : null;
        var quietUntil = request.HasQuietUntil ? ContactFields.QuietTime(v, "quiet_until", request.QuietUntil) : null;
        v.Check(request.HasQuietFrom == request.HasQuietUntil, "quiet_until", "quiet hours change together: give both, or both empty to clear them");
        v.ThrowIfAny();
        return new(request.ContactId, name, url, request.HasSecret, secret, request.HasQuietFrom, quietFrom, quietUntil, request.HasActive ? request.Active : null);
    }
}
