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
    private readonly List<string> _users = [];
    private HttpClient? _management;

    /// <summary>The virtual host with the test infrastructure's own broker user (guest: every permission on it).</summary>
    public string Uri { get; private set; } = "";
    public string Name => _name;
    /// <summary>The user in <see cref="Uri"/>; tests that are not about broker trust map every publisher to it.</summary>
    public static string SharedUser => System.Uri.UnescapeDataString(new Uri(Environments.RabbitMq()).UserInfo).Split(':')[0];
    public HttpClient Management => _management ?? throw new InvalidOperationException("Not initialized.");

    public async ValueTask InitializeAsync()
    {
        var broker = new Uri(Environments.RabbitMq());
        var credentials = System.Uri.UnescapeDataString(broker.UserInfo);
        _management = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:15672/") };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        // The management listener may come up a little after the broker itself.
        await Poll.Until(async () => (await _management.PutAsync($"api/vhosts/{_name}", null)).EnsureSuccessStatusCode(),
            $"the RabbitMQ management API to create virtual host {_name}", TimeSpan.FromSeconds(20));
        var user = credentials.Split(':')[0];
        (await _management.PutAsync($"api/permissions/{_name}/{user}",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        Uri = new UriBuilder(broker) { Path = "/" + _name }.Uri.ToString();
    }

    /// <summary>
    /// Creates a broker user for this test (users are global, so its name carries the virtual host's) with the given
    /// permissions on this virtual host, and returns its name and a URI that logs in as it.
    /// </summary>
    public async Task<(string User, string Uri)> CreateUserAsync(string role, BrokerPermissions permissions)
    {
        var user = $"{role}-{_name[^12..]}";
        var password = Guid.NewGuid().ToString("N");
        (await Management.PutAsync($"api/users/{user}", Json(new { password, tags = "" }))).EnsureSuccessStatusCode();
        _users.Add(user);
        (await Management.PutAsync($"api/permissions/{_name}/{user}", Json(new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read }))).EnsureSuccessStatusCode();
        var broker = new Uri(Environments.RabbitMq());
        return (user, new UriBuilder(broker) { UserName = user, Password = password, Path = "/" + _name }.Uri.ToString());
    }

    private static StringContent Json(object value) => new(System.Text.Json.JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        if (_management is null) return;
        try { await _management.DeleteAsync($"api/vhosts/{_name}"); } catch (HttpRequestException) { /* the broker cleans up on its own restart */ }
        foreach (var user in _users)
            try { await _management.DeleteAsync($"api/users/{user}"); } catch (HttpRequestException) { }
        _management.Dispose();
    }
}

/// <summary>
/// A broker user's permissions as RabbitMQ regular expressions over exchange and queue names, as docs/broker.md and
/// docker-compose's definitions give them to each service.
/// </summary>
public sealed record BrokerPermissions(string Configure, string Write, string Read)
{
    public static readonly BrokerPermissions All = new(".*", ".*", ".*");

    /// <summary>
    /// A service's own: its queues (and their _error/_skipped), the bus's temporary queue, the exchanges of the events it
    /// publishes (<paramref name="publishes"/>: the namespace under Rectify.Events, e.g. "Measures"), read and bind on
    /// every event exchange.
    /// </summary>
    public static BrokerPermissions Service(string service, string? publishes) => new(
        Configure: $@"^({service}-.*|Rectify\.Events[.:].*|.*_bus_.*)$",
        Write: publishes is null ? $@"^({service}-.*|.*_bus_.*)$" : $@"^({service}-.*|Rectify\.Events\.{publishes}:.*|Rectify\.Events:IIntegrationEvent|.*_bus_.*)$",
        Read: $@"^({service}-.*|Rectify\.Events[.:].*|.*_bus_.*)$");
}
