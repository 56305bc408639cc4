namespace Rectify.Platform.Errors;

/// <summary>Collects every field violation of a request so the caller learns them all at once.</summary>
public sealed class Violations
{
    private readonly List<FieldViolation> _items = [];

    public bool Any => _items.Count > 0;

    public Violations Add(string field, string description)
    {
        _items.Add(new FieldViolation(field, description));
        return this;
    }

    /// <summary>Adds the violation when the condition does not hold; returns the condition.</summary>
    public bool Check(bool condition, string field, string description)
    {
        if (!condition) Add(field, description);
        return condition;
    }

    public OrgCode? Code(string field, string? text)
    {
        if (OrgCode.TryParse(text, out var code, out var error)) return code;
        Add(field, error);
        return null;
    }

    public string? Text(string field, string? text, int maxLength, bool required = true)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            if (required) Add(field, "is required");
            return null;
        }
        if (trimmed.Length > maxLength) { Add(field, $"must be at most {maxLength} characters"); return null; }
        return trimmed;
    }

    public DateOnly? Date(string field, Common.V1.Date? date, bool required = true)
    {
        if (date is null)
        {
            if (required) Add(field, "is required");
            return null;
        }
        if (date.TryToDateOnly(out var value)) return value;
        Add(field, $"{date.Year:D4}-{date.Month:D2}-{date.Day:D2} is not a calendar date");
        return null;
    }

    public void ThrowIfAny()
    {
        if (Any) throw new ValidationException([.. _items]);
    }
}
