using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Campaigns;

/// <summary>
/// An earlier year's designation, checked: a county's code, an earlier year, its end (31 December unless given), the
/// date and basis of the decision, and 1 to 500 distinct villages of the county.
/// </summary>
public sealed record RecordPastTargetsInput(OrgCode County, int Year, DateOnly EndsOn, bool EndsOnGiven, DateOnly DecidedOn, string Basis, IReadOnlyList<OrgCode> Villages)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RecordPastTargetsInput Parse(RecordPastTargetsRequest request, DateOnly today)
    {
        var v = new Violations();
        var county = v.Code("county_code", request.CountyCode);
        if (county is { } c) v.Check(c.Level == OrgLevel.County, "county_code", "must be a county's code");
        // History is an earlier year; this year's targets come from this year's review.
        var yearOk = v.Check(request.Year >= 2000 && request.Year < today.Year, "year", $"must be an earlier year, from 2000 to {today.Year - 1}");
        var endsOn = yearOk
            ? v.DateWithin("ends_on", request.EndsOn, new DateOnly(request.Year, 1, 1), Min(new DateOnly(request.Year + 1, 12, 31), today.AddDays(-1)),
                  "a past campaign ends in its year or the next, and has ended", required: false)
              ?? new DateOnly(request.Year, 12, 31)
            : default;
        var decidedOn = yearOk
            ? v.DateWithin("decided_on", request.DecidedOn, new DateOnly(request.Year - 1, 1, 1), Min(endsOn, today), "a designation is decided from the year before the campaign to its end, and not in the future")
            : null;
        var basis = v.Text("basis", request.Basis, 1000);
        v.Check(request.VillageCodes.Count is > 0 and <= 500, "village_codes", "must list 1 to 500 villages");
        var villages = new List<OrgCode>();
        for (var i = 0; i < request.VillageCodes.Count; i++)
        {
            if (v.Code($"village_codes[{i}]", request.VillageCodes[i]) is not { } code) continue;
            if (!v.Check(code.Level == OrgLevel.Village, $"village_codes[{i}]", "must be a village's code")) continue;
            if (county is { } k && !v.Check(k.IsAncestorOrSelfOf(code), $"village_codes[{i}]", $"is not in the county {k.Value}")) continue;
            if (v.Check(!villages.Contains(code), $"village_codes[{i}]", "is listed twice")) villages.Add(code);
        }
        v.ThrowIfAny();
        return new(county!.Value, request.Year, endsOn, request.EndsOn is not null, decidedOn!.Value, basis!, villages);
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
