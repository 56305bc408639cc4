using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Rectify.Tests.Support;

/// <summary>
/// The one way a test waits for the asynchronous path (the bus, a worker, a process) to catch up: bounded, and on
/// timeout it says what it waited for and what it saw last. No test sleeps for a fixed time instead.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    // Mechanism timing: how often to look again.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Retries <paramref name="attempt"/> until it returns without throwing, for at most <paramref name="timeout"/>
    /// (30 s); then fails with a <see cref="TimeoutException"/> naming <paramref name="what"/> (by default the attempt's
    /// source text) and carrying the attempt's last exception.
    /// </summary>
    public static async Task<T> Until<T>(Func<Task<T>> attempt, string? what = null, TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(attempt))] string expression = "")
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try { return await attempt(); }
            catch (Exception e) when (clock.Elapsed >= limit)
            {
                throw new TimeoutException($"waited {clock.Elapsed.TotalSeconds:0.#} s for {what ?? expression}; last: {e.Message}", e);
            }
            catch (Exception)
            {
                // Not yet: look again.
            }
            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until <paramref name="count"/> returns <paramref name="expected"/>; fails with "expected N <paramref name="what"/>, saw M after T s".</summary>
    public static async Task UntilCount(Func<Task<int>> count, int expected, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var seen = await count();
            if (seen == expected) return;
            if (clock.Elapsed >= limit)
                throw new TimeoutException($"expected {expected} {what}, saw {seen} after {clock.Elapsed.TotalSeconds:0.#} s");
            await Task.Delay(Interval);
        }
    }

    /// <summary>The same for a count held in memory (requests a receiver got).</summary>
    public static Task UntilCount(Func<int> count, int expected, string what, TimeSpan? timeout = null) =>
        UntilCount(() => Task.FromResult(count()), expected, what, timeout);
}
