using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Assignments;

/// <summary>Someone assigned to help a village in a campaign year (四个一), checked; assigned today unless a date is given.</summary>
public sealed record AddAssignmentInput(OrgCode Village, int Year, AssignmentKind Kind, string Assignee, string? Position, string? Phone, DateOnly AssignedOn)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static AddAssignmentInput Parse(AddAssignmentRequest request, DateOnly today)
    {
        var v = new Violations();
        var code = v.Code("village_code", request.VillageCode);
        if (code is { } c) v.Check(c.Level == OrgLevel.Village, "village_code", "must be a village's code");
        v.Check(request.Year >= 2000 && request.Year <= today.Year + 1, "year", $"must be between 2000 and {today.Year + 1}");
        v.Check(Enum.IsDefined(request.Kind) && request.Kind != AssignmentKind.Unspecified, "kind", "must be one of the assignment kinds");
        var assignee = v.Text("assignee", request.Assignee, 100);
        var position = v.Text("position", request.Position, 100, required: false);
        var phone = v.Text("phone", request.Phone, 30, required: false);
        if (phone is not null) v.Check(phone.All(ch => char.IsAsciiDigit(ch) || ch is '-' or '+' or ' '), "phone", "may hold digits, spaces, + and - only");
        // 四个一 are sent for a campaign year: at the earliest in the year before it (teams are picked as the targets are identified),
        // at the latest by its end. Nothing in 1900 or 2099.
        var yearKnown = request.Year >= 2000 && request.Year <= today.Year + 1;
        var assignedOn = (yearKnown
            ? v.DateWithin("assigned_on", request.AssignedOn, new DateOnly(request.Year - 1, 1, 1), new DateOnly(request.Year, 12, 31), $"from the year before campaign year {request.Year} to its end", required: false)
            : v.Date("assigned_on", request.AssignedOn, required: false)) ?? today;
        v.ThrowIfAny();
        return new(code!.Value, request.Year, request.Kind, assignee!, position, phone, assignedOn);
    }
}
