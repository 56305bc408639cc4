using Rectify.Notifications.V1;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Contacts;

/// <summary>A contact to stop delivering to, checked: its id.</summary>
public sealed record RemoveContactInput(string ContactId)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RemoveContactInput Parse(RemoveContactRequest request)
    {
        var v = new Violations();
        ContactFields.ContactId(v, request.ContactId);
        v.ThrowIfAny();
        return new(request.ContactId);
    }
}
