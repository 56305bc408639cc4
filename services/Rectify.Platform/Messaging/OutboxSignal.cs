namespace Rectify.Platform.Messaging;

/// <summary>A doorbell between writers and the outbox relay; rings coalesce.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _bell = new(0, 1);

    public void Notify()
    {
        try { _bell.Release(); }
        catch (SemaphoreFullException) { /* already rung: one wake-up serves all */ }
    }

    /// <summary>Waits until rung or until the timeout passes; both mean "look at the outbox".</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _bell.WaitAsync(timeout, ct);
}
