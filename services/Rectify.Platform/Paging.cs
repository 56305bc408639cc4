namespace Rectify.Platform;

/// <summary>
/// One page of a list read by offset (<see cref="Errors.Violations.Page"/> reads it from the request) and the token
/// of the page after it: the offset, as text, which only this service issues and reads.
/// </summary>
public readonly record struct Paging(int Size, int Offset)
{
    /// <summary>
    /// The next page's token, or "" at the end: with the list's total when the query counted it, otherwise a full
    /// page may have more behind it (the client then reads one empty page).
    /// </summary>
    public string NextToken(int returned, int? total = null) =>
        (total is { } t ? Offset + returned < t : returned == Size) ? (Offset + returned).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
}
