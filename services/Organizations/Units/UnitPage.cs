using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>One page of units read by code (keyset): its size and the last code of the previous page, if any.</summary>
public readonly record struct UnitPage(int Size, string? After)
{
    /// <summary>Reads a page request: size within (0, MaxPageSize], token = the last code of the previous page.</summary>
    public static UnitPage Read(Violations violations, PageRequest? page)
    {
        var size = page?.PageSize ?? 0;
        if (size == 0) size = UnitService.DefaultPageSize;
        violations.Check(size is > 0 and <= UnitService.MaxPageSize, "page.page_size", $"must be between 1 and {UnitService.MaxPageSize}");
        var token = page?.PageToken;
        if (string.IsNullOrEmpty(token)) return new(size, null);
        return violations.Check(token.Length == OrgCode.Length && token.All(char.IsAsciiDigit), "page.page_token", "is not a token this service issued")
            ? new(size, token) : new(size, null);
    }
}
