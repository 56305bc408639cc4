using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Rectify.Tests.Support;

/// <summary>
/// A real HTTP receiver on 127.0.0.1 for notification tests: it records every request (path and query,
/// headers, body) and answers with the status codes queued for it, then 200. Requests to /held are answered only once
/// <see cref="Release"/> is called (a receiver slow to answer); the rest at once.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body, DateTime At);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver!.Requests.Enqueue(new Received(context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, DateTime.UtcNow));
            if (context.Request.Path == "/held") await receiver._release.Task;
            context.Response.StatusCode = receiver._answers.TryDequeue(out var status) ? status : 200;
            await context.Response.WriteAsync(context.Request.Path.StartsWithSegments("/robot") ? """{"errcode":0,"errmsg":"ok"}""" : "ok");
        });
        receiver = new WebhookReceiver(app, $"http://127.0.0.1:{port}");
        await app.StartAsync();
        return receiver;
    }

    public bool Released => _release.Task.IsCompleted;

    /// <summary>Lets the held requests to /held be answered, and those to come at once.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>The requests to <paramref name="path"/> so far.</summary>
    public List<Received> To(string path) => [.. Requests.Where(r => r.PathAndQuery == path)];

    /// <summary>Waits until at least <paramref name="count"/> requests to <paramref name="path"/> have arrived; fails after the timeout (20 s).</summary>
    public async Task<List<Received>> WaitForAsync(string path, int count, TimeSpan? timeout = null) =>
        await Poll.Until(() => Task.FromResult(To(path) is { } calls && calls.Count >= count ? calls : throw new InvalidOperationException($"{To(path).Count} of {count} requests to {path}")),
            $"{count} requests to {path}", timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>The next requests get these status codes, in order.</summary>
    public void AnswerWith(params int[] statuses)
    {
        foreach (var status in statuses) _answers.Enqueue(status);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived, and returns all that did; fails after the timeout (20 s).</summary>
    public async Task<List<Received>> WaitForAsync(int count, TimeSpan? timeout = null) =>
        await Poll.Until(() => Task.FromResult(Requests.Count >= count ? Requests.ToList() : throw new InvalidOperationException($"{Requests.Count} of {count} requests received")),
            $"{count} webhook requests", timeout ?? TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
