namespace Rectify.Tests.Support;

/// <summary>Waiting for the asynchronous path (the bus, a worker) to catch up, for a bounded time.</summary>
public static class Poll
{
    /// <summary>Retries until <paramref name="attempt"/> stops throwing, for at most 30 seconds; then lets its last exception through.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> attempt)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { return await attempt(); }
            catch (Exception) when (DateTime.UtcNow < deadline) { await Task.Delay(50); }
        }
    }
}
