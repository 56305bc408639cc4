namespace Rectify.Platform;

/// <summary>What the period rule says a unit may do with a month's report on a given day.</summary>
public enum PeriodOpening
{
    /// <summary>The act is allowed for the month today.</summary>
    Open,
    /// <summary>The month has not begun.</summary>
    InFuture,
    /// <summary>The month is running: a draft may be kept, a submission waits for the month's end.</summary>
    NotOver,
    /// <summary>Past the lock day and no exception (补报) running.</summary>
    Locked,
}
