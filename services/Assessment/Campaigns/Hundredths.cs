namespace Rectify.Assessment.Campaigns;

/// <summary>
/// Scores (0 to 100 points) are kept as whole hundredths of a point, in an integer column on every database: SQLite
/// stores a REAL column's whole values as integers and its fractions as reals, so a double column reads back as two
/// types, and a binary double cannot hold 0.1 exactly. The wire keeps a double; <c>h / 100.0</c> is the double nearest
/// the decimal, so 72.5 and 0.1 come back as they were sent.
/// </summary>
public static class Hundredths
{
    /// <summary>Most places a score may carry: a county's scoring sheet gives at most two (72.5, 86.25).</summary>
    public const string Rule = "must be between 0 and 100 with at most two decimal places";

    /// <summary>The score in hundredths, or null when it is outside 0–100, not a number, or finer than a hundredth.</summary>
    public static int? From(double points)
    {
        if (points is not (>= 0 and <= 100)) return null; // NaN fails too
        var scaled = points * 100;
        var whole = Math.Round(scaled);
        // Tolerates the binary error of a decimal sent as a double (72.35 × 100 = 7234.999…), nothing coarser.
        return Math.Abs(scaled - whole) < 1e-6 ? (int)whole : null;
    }

    public static double ToPoints(long hundredths) => hundredths / 100.0;
}
