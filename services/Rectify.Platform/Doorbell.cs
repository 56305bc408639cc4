namespace Rectify.Platform;

/// <summary>
/// A doorbell between a writer and the worker that acts on what it wrote (the outbox relay, the notification
/// sender): the worker wakes at once instead of at its next poll. Rings coalesce.
/// </summary>
public class Doorbell
{
    private readonly SemaphoreSlim _bell = new(0, 1);

    public void Notify()
    {
        try { _bell.Release(); }
        catch (SemaphoreFullException) { /* already rung: one wake-up serves all */ }
    }

    /// <summary>Waits until rung or until the timeout passes; both mean "look again".</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _bell.WaitAsync(timeout, ct);
}
