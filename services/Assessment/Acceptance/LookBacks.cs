namespace Rectify.Assessment.Acceptance;

/// <summary>When a transformed target's look-backs (回头看) fall due: the campaign's months after its acceptance, in order.</summary>
public static class LookBacks
{
    /// <summary>The look-backs not yet held, earliest first: the first <paramref name="held"/> are taken as held.</summary>
    public static IEnumerable<DateOnly> Due(DateOnly acceptedOn, IEnumerable<int> months, int held) =>
        months.Order().Skip(held).Select(m => acceptedOn.AddMonths(m));
}
