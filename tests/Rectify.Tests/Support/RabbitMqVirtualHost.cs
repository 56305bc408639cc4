using System.Net.Http.Headers;
using System.Text;

namespace Rectify.Tests.Support;

/// <summary>
/// A RabbitMQ virtual host made for one test through the management API, and deleted after it: queues and
/// exchanges are per virtual host, so tests running at once (or one after another) never exchange messages.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private readonly string _name = "rectify-test-" + Guid.NewGuid().ToString("N")[..12];
    private HttpClient? _management;

    public string Uri { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var broker = new Uri(Environments.RabbitMq());
        var credentials = System.Uri.UnescapeDataString(broker.UserInfo);
        _management = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:15672/") };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        // The management listener may come up a little after the broker itself.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                (await _management.PutAsync($"api/vhosts/{_name}", null)).EnsureSuccessStatusCode();
                break;
            }
            catch (HttpRequestException) when (attempt < 40)
            {
                await Task.Delay(500);
            }
        }
        var user = credentials.Split(':')[0];
        (await _management.PutAsync($"api/permissions/{_name}/{user}",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        Uri = new UriBuilder(broker) { Path = "/" + _name }.Uri.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_management is null) return;
        try { await _management.DeleteAsync($"api/vhosts/{_name}"); } catch (HttpRequestException) { /* the broker cleans up on its own restart */ }
        _management.Dispose();
    }
}
