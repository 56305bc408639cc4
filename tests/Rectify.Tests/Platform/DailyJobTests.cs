using System.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Rectify.Kernel;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Platform;

/// <summary>
/// A daily job whose run fails — even with a cancellation of its own (a timed-out call), not the host's — is logged and
/// runs again the next day; it never ends the background service, which would stop the whole host.
/// </summary>
public sealed class DailyJobTests
{
    [Fact]
    public async Task A_run_cancelled_by_its_own_timeout_neither_stops_the_host_nor_the_next_days_run()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new JobProbeModule<TimingOutJob>()], clock: clock);
        var job = host.Get<TimingOutJob>();
        await Poll.UntilCount(() => job.Runs, 1, "the run at start");

        // The job sets its next timer after the failed run: a move made before that finds no timer to fire, so move again.
        var moved = Stopwatch.StartNew();
        await Poll.Until(() =>
        {
            if (job.Runs < 2 && moved.Elapsed > TimeSpan.FromSeconds(1))
            {
                clock.Advance(TimeSpan.FromDays(1));
                moved.Restart();
            }
            Assert.True(job.Runs >= 2);
            return Task.FromResult(true);
        }, "the next day's run");
        Assert.False(host.Get<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task A_run_that_outlasts_its_run_time_is_followed_at_once_by_that_days_run()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new JobProbeModule<OutlastingJob>()], clock: clock);
        var job = host.Get<OutlastingJob>();
        // The run at start takes a day and an hour of the clock, so it ends past the run time it began before. The
        // clock is not moved from outside: only a next run due from when the first began comes at once.
        await Poll.UntilCount(() => job.Runs, 2, "the run due while the first was running");
        Assert.Equal(2, job.Runs);
    }
}

/// <summary>A job whose first run lasts a day and an hour on the fake clock, as a long catch-up would.</summary>
public sealed class OutlastingJob(Database<JobProbeModule<OutlastingJob>> database, TimeProvider clock, ILogger<OutlastingJob> logger) : DailyJob(database, clock, logger)
{
    private readonly FakeTimeProvider _clock = (FakeTimeProvider)clock;
    private int _runs;
    public int Runs => Volatile.Read(ref _runs);
    protected override bool Enabled => true;
    protected override TimeOnly RunAt => new(6, 0);

    protected override Task RunAsync(CancellationToken ct)
    {
        if (Interlocked.Increment(ref _runs) == 1) _clock.Advance(TimeSpan.FromHours(25));
        return Task.CompletedTask;
    }
}

/// <summary>A job that times out as a call with a deadline would, at every run.</summary>
public sealed class TimingOutJob(Database<JobProbeModule<TimingOutJob>> database, TimeProvider clock, ILogger<TimingOutJob> logger) : DailyJob(database, clock, logger)
{
    private int _runs;
    public int Runs => Volatile.Read(ref _runs);
    protected override bool Enabled => true;
    protected override TimeOnly RunAt => TimeOnly.MinValue;

    protected override Task RunAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _runs);
        using var timedOut = new CancellationTokenSource();
        timedOut.Cancel();
        timedOut.Token.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }
}

/// <summary>A host for one probe job alone: a job that moves the fake clock would run any other job in the host too.</summary>
public sealed class JobProbeModule<TJob> : ServiceModule<JobProbeModule<TJob>> where TJob : DailyJob
{
    public override string Name => "jobprobe-" + typeof(TJob).Name.ToLowerInvariant();

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AddDatabase(services, configuration);
        services.AddSingleton<TJob>();
        services.AddHostedService(sp => sp.GetRequiredService<TJob>());
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) { }
}
