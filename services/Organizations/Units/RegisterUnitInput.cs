using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>A unit to register, checked: a unit's code (not the nation's), a name, and the parent the code names if one is given.</summary>
public sealed record RegisterUnitInput(OrgCode Code, string Name)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RegisterUnitInput Parse(RegisterUnitRequest request)
    {
        var v = new Violations();
        var code = v.Code("code", request.Code);
        var name = v.Text("name", request.Name, UnitService.MaxNameLength);
        if (code is { } c)
        {
            v.Check(c.Level != OrgLevel.Unspecified, "code", "is the nation's code, not a unit's");
            var derived = c.Parent?.Value ?? "";
            v.Check(string.IsNullOrEmpty(request.ParentCode) || request.ParentCode == derived, "parent_code",
                derived.Length == 0 ? "must be empty for a province" : $"must be {derived}, the parent the code names");
        }
        v.ThrowIfAny();
        return new(code!.Value, name!);
    }
}
