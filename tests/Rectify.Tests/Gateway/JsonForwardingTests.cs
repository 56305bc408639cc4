using System.Net;
using System.Text.Json;
using Rectify.Gateway;
using Rectify.Kernel;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using Rectify.Tests.Web;

namespace Rectify.Tests.Gateway;

/// <summary>
/// Distributed mode: the browser talks only to the gateway's process, which forwards /v1/{service}/… JSON calls for
/// services it does not host to their own process over HTTP/2, passing the person's token and adding nothing.
/// Two real hosts: organizations in one, the gateway in the other.
/// </summary>
public sealed class JsonForwardingTests : IAsyncLifetime
{
    private const string Nation = "000000000000";
    private const string County = "360731000000";
    private const string Township = "360731101000";
    private const string OtherCounty = "360732000000";
    private TestHost _organizations = null!;
    private TestHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _organizations = await TestHost.StartAsync(DbProvider.Sqlite, [new OrganizationsModule()]);
        using (var call = _organizations.Organizations(Nation, Role.Service, "admin").ImportUnits())
        {
            var line = 1;
            foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000"), (OtherCounty, "兴国县", "360700000000"), (Township, "铁山垅镇", County) })
                await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
            await call.RequestStream.CompleteAsync();
            Assert.Empty((await call).Errors);
        }
        _gateway = await TestHost.StartAsync(DbProvider.Sqlite, [new GatewayModule()], new Dictionary<string, string?>
        {
            ["Rectify:Endpoints:organizations"] = _organizations.GrpcUrl,
            ["Rectify:Gateway:RebuildWhenEmpty"] = "false",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _organizations.DisposeAsync();
    }

    [Fact]
    public async Task A_JSON_call_at_the_gateway_answers_from_the_organizations_process()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_gateway.HttpUrl) };
        using var response = await JsonApiErrorTests.Post(http, TestHost.Token(County), "/v1/organizations/GetUnit", $$"""{"code":"{{Township}}"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var unit = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(("铁山垅镇", County), (unit.RootElement.GetProperty("name").GetString(), unit.RootElement.GetProperty("parentCode").GetString()));
    }

    [Fact]
    public async Task Only_the_person_s_token_decides_no_token_is_401_and_another_county_is_403()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_gateway.HttpUrl) };
        // Refused by the gateway itself, as the service would: a service's early 401 once reached the browser as a 502.
        using var anonymous = await JsonApiErrorTests.Post(http, null, "/v1/organizations/GetUnit", $$"""{"code":"{{Township}}"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var forged = await JsonApiErrorTests.Post(http, "not-a-token", "/v1/organizations/GetUnit", $$"""{"code":"{{Township}}"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using var elsewhere = await JsonApiErrorTests.Post(http, TestHost.Token(OtherCounty), "/v1/organizations/GetUnit", $$"""{"code":"{{Township}}"}""");
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
    }

    [Fact]
    public async Task A_bad_request_s_400_carries_the_field_violations_through()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_gateway.HttpUrl) };
        using var bad = await JsonApiErrorTests.Post(http, TestHost.Token(County), "/v1/organizations/GetUnit", """{"code":"not-a-code"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var status = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
        var violations = status.RootElement.GetProperty("details").EnumerateArray().SelectMany(d => d.TryGetProperty("fieldViolations", out var v) ? v.EnumerateArray() : Enumerable.Empty<JsonElement>());
        Assert.Contains("code", violations.Select(v => v.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task An_unknown_service_is_404_and_a_known_one_without_an_address_is_not_forwarded_back_to_itself()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_gateway.HttpUrl) };
        using var unknown = await JsonApiErrorTests.Post(http, TestHost.Token(County), "/v1/nosuchservice/GetUnit", "{}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // measures has no Rectify:Endpoints entry here: its default address is this very process, which does not host it.
        using var unaddressed = await JsonApiErrorTests.Post(http, TestHost.Token(County), "/v1/measures/ListMeasures", $$"""{"scopeCode":"{{County}}"}""");
        Assert.Equal(HttpStatusCode.NotFound, unaddressed.StatusCode);
        // The gateway's own routes are answered here, not forwarded.
        using var own = await JsonApiErrorTests.Post(http, TestHost.Token(County, Role.Admin), "/v1/gateway/Reconcile", """{"unitCode":"bad"}""");
        Assert.Equal(HttpStatusCode.BadRequest, own.StatusCode);
    }
}
