namespace Rectify.Measures.Ledger;

/// <summary>The "|a|b|" storage form of the responsible persons.</summary>
public static class ResponsiblePersonList
{
    public static string Join(IEnumerable<string> persons) => "|" + string.Join("|", persons) + "|";

    public static IReadOnlyList<string> Split(string stored) => stored.Split('|', StringSplitOptions.RemoveEmptyEntries);
}
