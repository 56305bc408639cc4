using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Profiles;

/// <summary>A village's profile for a year, checked: a code and a year from 2000 to next year.</summary>
public sealed record GetProfileInput(OrgCode Village, int Year)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static GetProfileInput Parse(GetProfileRequest request, DateOnly today)
    {
        var v = new Violations();
        var code = v.Code("village_code", request.VillageCode);
        CheckYear(v, request.Year, today, "year");
        v.ThrowIfAny();
        return new(code!.Value, request.Year);
    }

    /// <summary>A profile's year: from 2000 to next year.</summary>
    internal static void CheckYear(Violations v, int year, DateOnly today, string field)
    {
        var latest = today.Year + 1;
        v.Check(year >= 2000 && year <= latest, field, $"must be between 2000 and {latest}");
    }
}
