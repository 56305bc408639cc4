using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Rectify.Gateway;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Gateway;

/// <summary>
/// GET /v1/progress/{code}/{year}/{month}/events: WatchProgress as server-sent events for the pages, over real HTTP on the
/// host's JSON port. The same checks as the RPC (401 without a token, 403 outside the caller's unit, 400 for a bad unit),
/// the unit's progress at once, again after a change under it, and the end of the stream when the token expires.
/// </summary>
public sealed class ProgressEventsTests
{
    private const string County = "360731000000", Township = "360731100000", Sibling = "360731203000";

    private static async Task<TestHost> StartAsync()
    {
        var host = await TestHost.StartAsync(DbProvider.Sqlite, [new Rectify.Organizations.OrganizationsModule(), new GatewayModule()]);
        using var import = host.Organizations("000000000000", Role.Service).ImportUnits(cancellationToken: TestContext.Current.CancellationToken);
        foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000"), (Township, "贡江镇", County) })
            await import.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent }, TestContext.Current.CancellationToken);
        await import.RequestStream.CompleteAsync();
        await import;
        await host.SettledAsync();
        return host;
    }

    private static string Path(TestHost host, string unit)
    {
        var month = Month.Of(host.Clock.Today());
        return $"{host.HttpUrl}/v1/progress/{unit}/{month.Year}/{month.Number}/events";
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient http, string url, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }

    /// <summary>The next event's data, or null when the stream ended; bounded, so a silent stream fails instead of hanging.</summary>
    private static async Task<string?> NextEventAsync(StreamReader reader, TimeSpan? within = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(within ?? TimeSpan.FromSeconds(10));
        string? type = null, data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal)) type = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data = line[5..].Trim();
            else if (line.Length == 0 && data is not null)
            {
                Assert.Equal("progress", type);
                return data;
            }
        }
        return null;
    }

    [Fact]
    public async Task Without_a_token_401_outside_the_unit_403_and_a_bad_unit_400_with_its_field()
    {
        await using var host = await StartAsync();
        using var http = new HttpClient();

        using (var anonymous = await OpenAsync(http, Path(host, County), null))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using (var sibling = await OpenAsync(http, Path(host, County), TestHost.Token(Sibling, Role.Reviewer)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, sibling.StatusCode);
            using var status = JsonDocument.Parse(await sibling.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(7, status.RootElement.GetProperty("code").GetInt32());
        }

        using (var invalid = await OpenAsync(http, Path(host, "3607310000"), TestHost.Token(County)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            var body = await invalid.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Contains("\"field\":\"unit_code\"", body.Replace(" ", ""));
        }
    }

    [Fact]
    public async Task The_unit_s_progress_comes_at_once_and_again_after_a_change_under_it_and_the_stream_ends_with_the_token()
    {
        await using var host = await StartAsync();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await OpenAsync(http, Path(host, County), TestHost.Token(County, TimeSpan.FromMinutes(5), Role.Viewer));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        using (var first = JsonDocument.Parse((await NextEventAsync(reader))!))
        {
            Assert.Equal(County, first.RootElement.GetProperty("unitCode").GetString());
            Assert.Equal(1, first.RootElement.GetProperty("children").GetArrayLength());
        }

        // A township registered under the county changes its subtree: pushed without asking.
        await host.Organizations(County, Role.Officer).RegisterUnitAsync(new RegisterUnitRequest { Code = "360731101000", Name = "银坑镇" }, cancellationToken: TestContext.Current.CancellationToken);
        using (var second = JsonDocument.Parse((await NextEventAsync(reader))!))
            Assert.Equal(2, second.RootElement.GetProperty("children").GetArrayLength());

        // By the host's clock the token expires: the stream ends (the page reconnects with a fresh token).
        host.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Null(await NextEventAsync(reader));
    }
}
