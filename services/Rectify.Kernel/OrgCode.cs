using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Rectify.Common.V1;

namespace Rectify.Kernel;

/// <summary>
/// A 12-digit statistical division code (统计用区划代码): 2 province, 2 city,
/// 2 county, 3 township, 3 village digits. The level is the last non-zero
/// segment, the parent is the code with that segment zeroed, and a unit's
/// descendants share its non-zero prefix, so a subtree is a range of codes.
/// The all-zero code is the nation: the root above every province, never a unit.
/// </summary>
public readonly record struct OrgCode
{
    public const int Length = 12;
    private static readonly int[] SegmentEnds = [2, 4, 6, 9, 12];

    public static readonly OrgCode Nation = new("000000000000");

    public string Value { get; }

    private OrgCode(string value) => Value = value;

    public static bool TryParse([NotNullWhen(true)] string? text, out OrgCode code, [NotNullWhen(false)] out string? error)
    {
        code = default;
        if (string.IsNullOrEmpty(text)) { error = "is required"; return false; }
        if (text.Length != Length) { error = $"must be {Length} digits, got {text.Length} characters"; return false; }
        if (!text.All(char.IsAsciiDigit)) { error = "must contain digits only"; return false; }
        // Once a segment is zero every finer segment must be zero too, or the code has no parent.
        var zeroSeen = false;
        var start = 0;
        foreach (var end in SegmentEnds)
        {
            var isZero = text.AsSpan(start, end - start).IndexOfAnyExcept('0') < 0;
            if (!isZero && zeroSeen) { error = $"has a non-zero segment at digits {start + 1}-{end} below a zero segment"; return false; }
            zeroSeen |= isZero;
            start = end;
        }
        code = new OrgCode(text);
        error = null;
        return true;
    }

    public static OrgCode Parse(string text) =>
        TryParse(text, out var code, out var error) ? code : throw new FormatException($"Org code '{text}' {error}.");

    /// <summary>Digits that identify the unit; its descendants start with them.</summary>
    public string Prefix => Value[..SignificantLength];

    private int SignificantLength
    {
        get
        {
            for (var i = SegmentEnds.Length - 1; i >= 0; i--)
            {
                var start = i == 0 ? 0 : SegmentEnds[i - 1];
                if (Value.AsSpan(start, SegmentEnds[i] - start).IndexOfAnyExcept('0') >= 0) return SegmentEnds[i];
            }
            return 0;
        }
    }

    public bool IsNation => SignificantLength == 0;

    public OrgLevel Level => SignificantLength switch
    {
        2 => OrgLevel.Province,
        4 => OrgLevel.City,
        6 => OrgLevel.County,
        9 => OrgLevel.Township,
        12 => OrgLevel.Village,
        _ => OrgLevel.Unspecified,
    };

    /// <summary>The unit directly above; null for a province and the nation.</summary>
    public OrgCode? Parent
    {
        get
        {
            var length = SignificantLength;
            if (length <= 2) return null;
            var parentLength = SegmentEnds[Array.IndexOf(SegmentEnds, length) - 1];
            return new OrgCode(Value[..parentLength].PadRight(Length, '0'));
        }
    }

    /// <summary>The unit at <paramref name="level"/> that contains this one (itself at its own level).</summary>
    public OrgCode AncestorAt(OrgLevel level)
    {
        var length = level switch
        {
            OrgLevel.Province => 2, OrgLevel.City => 4, OrgLevel.County => 6, OrgLevel.Township => 9, OrgLevel.Village => 12,
            _ => throw new ArgumentOutOfRangeException(nameof(level)),
        };
        if (length > SignificantLength) throw new ArgumentOutOfRangeException(nameof(level), $"{Value} is above {level}.");
        return new OrgCode(Value[..length].PadRight(Length, '0'));
    }

    /// <summary>The township and village digits as a number: the unit's place inside its county (the demo seeds its choices with it).</summary>
    public int NumberInCounty => int.Parse(Value.AsSpan(6), CultureInfo.InvariantCulture);

    public bool IsAncestorOrSelfOf(OrgCode other) => other.Value.StartsWith(Prefix, StringComparison.Ordinal);

    public bool IsStrictAncestorOf(OrgCode other) => other != this && IsAncestorOrSelfOf(other);

    /// <summary>Inclusive bounds of the codes in this unit's subtree, itself included.</summary>
    public (string Low, string High) SubtreeRange => (Prefix.PadRight(Length, '0'), Prefix.PadRight(Length, '9'));

    public override string ToString() => Value;
}
