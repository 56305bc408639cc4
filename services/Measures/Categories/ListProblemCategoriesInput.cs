using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Categories;

/// <summary>Whose effective list to read (the caller's unit when none is named) and whether to leave out retired categories.</summary>
public sealed record ListProblemCategoriesInput(OrgCode Unit, bool ActiveOnly)
{
    /// <summary>The request checked (InvalidArgument on unit_code when it is not a unit's code).</summary>
    public static ListProblemCategoriesInput Parse(ListProblemCategoriesRequest request, OrgCode callerUnit)
    {
        var unit = callerUnit;
        if (!string.IsNullOrEmpty(request.UnitCode))
            unit = OrgCode.TryParse(request.UnitCode, out var code, out var error) ? code : throw ValidationException.For("unit_code", error);
        return new(unit, request.ActiveOnly);
    }
}
