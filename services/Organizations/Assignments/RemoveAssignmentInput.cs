using Rectify.Organizations.V1;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Assignments;

/// <summary>An assignment to end, checked: its id and the reason.</summary>
public sealed record RemoveAssignmentInput(string Id, string Reason)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RemoveAssignmentInput Parse(RemoveAssignmentRequest request)
    {
        var v = new Violations();
        v.Check(Guid.TryParse(request.Id, out _), "id", "must be an assignment id");
        var reason = v.Text("reason", request.Reason, 500);
        v.ThrowIfAny();
        return new(request.Id, reason!);
    }
}
