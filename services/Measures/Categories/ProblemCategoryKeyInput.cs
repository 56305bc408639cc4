using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Categories;

/// <summary>
/// A category of a unit's subtree to retire or restore (RetireProblemCategory, RestoreProblemCategory), checked: a province,
/// a city or a county (the caller's unit when none is named) and a code of A-Z, 0-9 and _.
/// </summary>
public sealed record ProblemCategoryKeyInput(OrgCode Unit, string Code)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ProblemCategoryKeyInput Parse(ProblemCategoryKey request, OrgCode callerUnit)
    {
        var v = new Violations();
        var unit = CheckUnit(v, callerUnit, request.UnitCode);
        var code = CheckCode(v, request.Code);
        v.ThrowIfAny();
        return new(unit!.Value, code!);
    }

    /// <summary>The unit a change is for: the one named, or the caller's own. Only a province, a city or a county holds definitions.</summary>
    internal static OrgCode? CheckUnit(Violations v, OrgCode callerUnit, string unitCode)
    {
        if (string.IsNullOrEmpty(unitCode)) return callerUnit;
        var unit = v.Code("unit_code", unitCode);
        if (unit is { } code)
            v.Check(CategoryCatalog.MayDefine(code), "unit_code", "must be a province, a city or a county: a township or a village uses its county's categories");
        return unit;
    }

    internal static string? CheckCode(Violations v, string text)
    {
        var code = v.Text("code", text, 40);
        if (code is not null) v.Check(code.All(ch => char.IsAsciiLetterUpper(ch) || char.IsAsciiDigit(ch) || ch == '_'), "code", "may hold A-Z, 0-9 and _ only");
        return code;
    }
}
