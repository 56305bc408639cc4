using Rectify.Host;
using Rectify.Identity.Demo;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// The whole suite in one process on SQLite with the demo county loaded, as the README's run command starts it, shared by
/// the browser scenarios (collection "web"). Each scenario works on its own township, village or report, so they do not
/// see each other's changes.
/// </summary>
public sealed class DemoSuite : IAsyncLifetime
{
    public const string Password = DemoAccounts.Password;

    public TestHost Host { get; private set; } = null!;
    public string Url => Host.HttpUrl;

    public async ValueTask InitializeAsync() =>
        Host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, new Dictionary<string, string?>
        {
            ["Rectify:Demo"] = "true",
            // Every scenario's browser signs in from 127.0.0.1: more than the default 20 a minute from one address.
            ["Rectify:Identity:SignInsPerMinutePerAddress"] = "1000",
        });

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition("web")]
public sealed class WebCollection : ICollectionFixture<DemoSuite>;
