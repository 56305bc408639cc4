using Rectify.Kernel;
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

    /// <summary>Free text longer than this (notes, report text, descriptions) may hold line breaks and tabs; shorter fields are single lines.</summary>
    public const int LongTextLength = 1000;

    /// <summary>
    /// A trimmed text field. Control characters are refused everywhere — in names they forge lines in exports, logs and
    /// messages, and bidirectional overrides make a name read otherwise than it is stored. Line breaks and tabs are kept
    /// in long free text (over <see cref="LongTextLength"/> characters allowed, or <paramref name="multiline"/>).
    /// </summary>
    public string? Text(string field, string? text, int maxLength, bool required = true, bool? multiline = null)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            if (required) Add(field, "is required");
            return null;
        }
        if (trimmed.Length > maxLength) { Add(field, $"must be at most {maxLength} characters"); return null; }
        if (TextProblem(trimmed, multiline ?? maxLength > LongTextLength) is { } problem) { Add(field, problem); return null; }
        return trimmed;
    }

    /// <summary>Why <paramref name="text"/> may not be stored as it is, or null: for checks outside a request (CSV imports).</summary>
    public static string? TextProblem(string text, bool multiline)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (multiline && ch is '\n' or '\r' or '\t') continue;
            if (char.IsControl(ch) || ch is '\u2028' or '\u2029' || ch is >= '\u202A' and <= '\u202E' || ch is >= '\u2066' and <= '\u2069')
                return ch is '\n' or '\r' or '\t'
                    ? "must be a single line"
                    : $"must not contain the control character U+{(int)ch:X4} (at {i + 1})";
        }
        return null;
    }

    /// <summary>A filter's enum value: unknown values are refused rather than matching nothing; unspecified only where it means "any".</summary>
    public bool Known<TEnum>(string field, TEnum value, bool unspecifiedMeansAny) where TEnum : struct, Enum
    {
        var known = Enum.IsDefined(value) && (unspecifiedMeansAny || Convert.ToInt32(value) != 0);
        return Check(known, field, unspecifiedMeansAny ? "is not a known value" : "is required and must be a known value");
    }

    /// <summary>
    /// One page of a list read by offset: the size (0 means the default; negative or over the maximum is refused, it
    /// would otherwise return nothing) and the offset carried by the page token this service issued.
    /// </summary>
    public Paging Page(Common.V1.PageRequest? page, int defaultSize, int maxSize)
    {
        var size = page?.PageSize ?? 0;
        if (size == 0) size = defaultSize;
        else if (!Check(size > 0 && size <= maxSize, "page.page_size", $"must be between 1 and {maxSize} (0 for {defaultSize})")) size = defaultSize;
        var offset = 0;
        if (!string.IsNullOrEmpty(page?.PageToken))
            Check(int.TryParse(page.PageToken, out offset) && offset >= 0, "page.page_token", "is not a token this service issued");
        return new Paging(size, offset);
    }

    /// <summary>A date that must fall within [<paramref name="earliest"/>, <paramref name="latest"/>]; <paramref name="why"/> names the window.</summary>
    public DateOnly? DateWithin(string field, Common.V1.Date? date, DateOnly earliest, DateOnly latest, string why, bool required = true)
    {
        var value = Date(field, date, required);
        if (value is { } d && (d < earliest || d > latest))
        {
            Add(field, $"{d:yyyy-MM-dd} is outside {earliest:yyyy-MM-dd}..{latest:yyyy-MM-dd} ({why})");
            return null;
        }
        return value;
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
