namespace Rectify.Notifications.Inbox;

/// <summary>What to tell which unit about one occurrence; <paramref name="Line"/> is its one line in a day's list (Bundles).</summary>
public sealed record Message(string UnitCode, string Kind, string OccurrenceKey, string Title, string Text, string? Line = null);
