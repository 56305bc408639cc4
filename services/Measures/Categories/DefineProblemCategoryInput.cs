using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Categories;

/// <summary>
/// A category's definition for a unit's subtree (AddProblemCategory, OverrideProblemCategory, and SetProblemCategory for
/// the caller's unit), checked: a province, a city or a county (the caller's unit when none is named), a code of A-Z, 0-9
/// and _, a name, and single-line helping departments without |.
/// </summary>
public sealed record DefineProblemCategoryInput(OrgCode Unit, string Code, string Name, IReadOnlyList<string> HelpingDepartments)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static DefineProblemCategoryInput Parse(DefineProblemCategoryRequest request, OrgCode callerUnit)
    {
        var v = new Violations();
        var unit = ProblemCategoryKeyInput.CheckUnit(v, callerUnit, request.UnitCode);
        var code = ProblemCategoryKeyInput.CheckCode(v, request.Code);
        var name = v.Text("name", request.Name, 100);
        v.Check(request.HelpingDepartments.Count <= 20, "helping_departments", "may list at most 20 departments");
        var departments = new List<string>();
        for (var i = 0; i < request.HelpingDepartments.Count; i++)
            if (v.Text($"helping_departments[{i}]", request.HelpingDepartments[i], 50) is { } department
                && v.Check(!department.Contains('|'), $"helping_departments[{i}]", "may not contain |"))
                departments.Add(department);
        v.ThrowIfAny();
        return new(unit!.Value, code!, name!, departments);
    }
}
