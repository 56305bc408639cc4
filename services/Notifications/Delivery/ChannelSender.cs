namespace Rectify.Notifications.Delivery;

/// <summary>Sends one message to its contact and judges the answer; used by the delivery worker and by TestContact.</summary>
public sealed class ChannelSender(IHttpClientFactory http, NotificationsOptions options)
{
    public const string HttpClientName = "notifications";

    public sealed record Answer(int Status, bool Delivered, bool Retry, string? Error);

    public async Task<Answer> SendAsync(Outgoing message, DateTimeOffset now, CancellationToken ct)
    {
        int status;
        string body;
        try
        {
            using var request = Channels.Request(message, now);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.RequestTimeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            (status, body) = (0, e is TaskCanceledException ? "timed out" : e.Message);
        }
        var (delivered, retry, error) = status == 0 ? (false, true, $"no answer: {body}") : Channels.Judge(status, body);
        return new Answer(status, delivered, retry, error);
    }
}
