using Google.Rpc;

namespace Rectify.Platform.Errors;

/// <summary>
/// A request refused for its fields. Every violation is kept here (and logged where it is thrown), but the status sent
/// back is bounded: a request with thousands of bad rows must not make trailers the client's HTTP/2 stack refuses
/// (64 KiB), which broke the connection for every call on it (issue 12).
/// </summary>
public sealed class ValidationException(IReadOnlyList<FieldViolation> violations)
    : DomainException(Describe(violations))
{
    /// <summary>At most this many violations are named in the status message and in its BadRequest detail.</summary>
    public const int MaxReported = 50;
    /// <summary>A field path or a description longer than this is cut (with "…") in the status.</summary>
    public const int MaxFieldLength = 200;
    public const int MaxDescriptionLength = 300;
    /// <summary>The status message names violations until it reaches this many characters.</summary>
    public const int MaxMessageLength = 1000;

    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
    public override Code StatusCode => Code.InvalidArgument;

    /// <summary>The violations the status carries: the first <see cref="MaxReported"/>, each cut to its bounds.</summary>
    public IEnumerable<FieldViolation> Reported => Violations.Take(MaxReported)
        .Select(v => new FieldViolation(Cut(v.Field, MaxFieldLength), Cut(v.Description, MaxDescriptionLength)));

    public static ValidationException For(string field, string description) => new([new FieldViolation(field, description)]);

    /// <summary>"The request is invalid: a b; c d (… and 412 more)", at most <see cref="MaxMessageLength"/> characters plus the count.</summary>
    private static string Describe(IReadOnlyList<FieldViolation> violations)
    {
        var text = new System.Text.StringBuilder("The request is invalid: ");
        var named = 0;
        foreach (var v in violations.Take(MaxReported))
        {
            var part = (named == 0 ? "" : "; ") + $"{Cut(v.Field, MaxFieldLength)} {Cut(v.Description, MaxDescriptionLength)}";
            if (named > 0 && text.Length + part.Length > MaxMessageLength) break;
            text.Append(part);
            named++;
        }
        if (named < violations.Count) text.Append($" (… and {violations.Count - named} more; {violations.Count} in all)");
        return text.ToString();
    }

    internal static string Cut(string text, int max)
    {
        if (text.Length <= max) return text;
        var keep = max - 1;
        // Never split a surrogate pair: half of one is not text in UTF-8.
        if (char.IsHighSurrogate(text[keep - 1])) keep--;
        return text[..keep] + "…";
    }
}
