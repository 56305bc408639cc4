using Rectify.Notifications.V1;
using Rectify.Platform.Errors;

namespace Rectify.Notifications.Contacts;

/// <summary>A contact to send a test message to, checked: its id.</summary>
public sealed record TestContactInput(string ContactId)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static TestContactInput Parse(TestContactRequest request)
    {
        var v = new Violations();
        ContactFields.ContactId(v, request.ContactId);
        v.ThrowIfAny();
        return new(request.ContactId);
    }
}
