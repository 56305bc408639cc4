using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Api;
using Google.Protobuf.Reflection;
using Rectify.Gateway;
using Rectify.Gateway.Api;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Organizations;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// The OpenAPI document of the public JSON API, as a real host serves it on its HTTP port: structurally OpenAPI 3, a
/// path for every RPC with a google.api.http route (enumerated here from the contracts' own descriptors, not from the
/// document's generator), and message schemas in the proto3 JSON mapping.
/// </summary>
public sealed class ApiDocumentTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private JsonElement _document;

    /// <summary>Every service's proto file, named one by one: a new service's file must be added here too.</summary>
    private static readonly FileDescriptor[] Contracts =
    [
        Rectify.Identity.V1.IdentityReflection.Descriptor,
        Rectify.Organizations.V1.OrganizationsReflection.Descriptor,
        Rectify.Assessment.V1.AssessmentReflection.Descriptor,
        Rectify.Measures.V1.MeasuresReflection.Descriptor,
        Rectify.Reporting.V1.ReportingReflection.Descriptor,
        Rectify.Notifications.V1.NotificationsReflection.Descriptor,
        Rectify.Gateway.V1.GatewayReflection.Descriptor,
        Rectify.Operations.V1.OperationsReflection.Descriptor,
    ];

    public async ValueTask InitializeAsync()
    {
        // Only the gateway here: the document describes every service's routes wherever the gateway runs.
        _host = await TestHost.StartAsync(DbProvider.Sqlite, [new GatewayModule()], new Dictionary<string, string?> { ["Rectify:Gateway:RebuildWhenEmpty"] = "false" });
        using var http = new HttpClient { BaseAddress = new Uri(_host.HttpUrl) };
        // Anonymous: the document describes, it grants nothing.
        using var response = await http.GetAsync(ApiDocument.Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        _document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void It_is_an_OpenAPI_3_document_with_the_bearer_scheme_and_the_error_status()
    {
        Assert.StartsWith("3.", _document.GetProperty("openapi").GetString());
        Assert.False(string.IsNullOrEmpty(_document.GetProperty("info").GetProperty("title").GetString()));
        Assert.Equal(JsonValueKind.Object, _document.GetProperty("paths").ValueKind);
        var components = _document.GetProperty("components");
        var bearer = components.GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal(("http", "bearer"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString()));
        Assert.True(_document.GetProperty("security")[0].TryGetProperty("bearer", out _));
        var status = components.GetProperty("schemas").GetProperty("google.rpc.Status").GetProperty("properties");
        Assert.Equal(["code", "message", "details"], status.EnumerateObject().Select(p => p.Name));
        // Every $ref points at a schema or response the document has.
        foreach (var reference in Refs(_document))
        {
            var parts = reference.TrimStart('#', '/').Split('/');
            var target = _document;
            foreach (var part in parts) Assert.True(target.TryGetProperty(part, out target), $"{reference} points nowhere");
        }
    }

    [Fact]
    public void Every_RPC_with_a_JSON_route_has_its_path_and_verb()
    {
        var routes = (from file in Contracts
                      from service in file.Services
                      from method in service.Methods
                      let rule = method.GetOptions()?.GetExtension(AnnotationsExtensions.Http)
                      where rule is not null
                      select (method, rule)).ToList();
        Assert.True(routes.Count > 60, $"only {routes.Count} routes found in the contracts");
        var paths = _document.GetProperty("paths");
        foreach (var (method, rule) in routes)
        {
            var (verb, path) = rule.PatternCase == HttpRule.PatternOneofCase.Get ? ("get", rule.Get) : ("post", rule.Post);
            Assert.True(paths.TryGetProperty(path, out var item), $"{method.FullName}: no path {path}");
            Assert.True(item.TryGetProperty(verb, out var operation), $"{method.FullName}: no {verb} on {path}");
            Assert.Equal(method.FullName, operation.GetProperty("operationId").GetString());
        }
        // Nothing else: one operation per route, and the gateway's six document routes (described below).
        Assert.Equal(routes.Count + 6, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()));
    }

    [Fact]
    public void The_document_routes_are_described_files_out_as_bytes_and_an_import_in_as_the_body()
    {
        var paths = _document.GetProperty("paths");
        foreach (var path in new[] { "/v1/documents/templates/{kind}", "/v1/documents/ledgers/{code}", "/v1/documents/plans/{village}/{year}",
                     "/v1/documents/monthly-reports/{township}/{year}/{month}", "/v1/documents/bulletins/{county}/{year}/{month}" })
            Assert.Equal("binary", paths.GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content")
                .EnumerateObject().Single().Value.GetProperty("schema").GetProperty("format").GetString());
        var import = paths.GetProperty("/v1/documents/imports/{kind}").GetProperty("post");
        Assert.True(import.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
        Assert.Equal("#/components/schemas/rectify.common.v1.ImportReport",
            import.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var kinds = import.GetProperty("parameters")[0].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Equal(["units", "village-profiles", "assignments", "assessments", "plan", "past-targets"], kinds);
        Assert.True(_document.GetProperty("components").GetProperty("schemas").TryGetProperty("rectify.common.v1.ImportProblem", out _));
    }

    [Fact]
    public void Message_schemas_follow_the_proto3_JSON_mapping()
    {
        var schemas = _document.GetProperty("components").GetProperty("schemas");
        // Measure: camelCase names, enums by name, Timestamps as date-time, nested messages by reference.
        var measure = schemas.GetProperty("rectify.measures.v1.Measure").GetProperty("properties");
        Assert.Equal(Rectify.Measures.V1.Measure.Descriptor.Fields.InFieldNumberOrder().Select(f => f.JsonName), measure.EnumerateObject().Select(p => p.Name));
        Assert.Contains("villageCode", measure.EnumerateObject().Select(p => p.Name));
        Assert.Equal("#/components/schemas/rectify.measures.v1.MeasureStatus", measure.GetProperty("status").GetProperty("$ref").GetString());
        var status = schemas.GetProperty("rectify.measures.v1.MeasureStatus");
        Assert.Contains("MEASURE_STATUS_CLOSED", status.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        var timestamp = Rectify.Measures.V1.Measure.Descriptor.Fields.InFieldNumberOrder().First(f => f.FieldType == FieldType.Message && f.MessageType.FullName == "google.protobuf.Timestamp");
        Assert.Equal("date-time", measure.GetProperty(timestamp.JsonName).GetProperty("format").GetString());

        // int64 as a string; optional fields present; Date as {year, month, day}.
        var counts = schemas.GetProperty("rectify.gateway.v1.Figure").GetProperty("properties");
        Assert.Equal("string", counts.GetProperty("gateway").GetProperty("type").GetString());
        Assert.Equal("int64", counts.GetProperty("gateway").GetProperty("format").GetString());
        Assert.Equal(["year", "month", "day"], schemas.GetProperty("rectify.common.v1.Date").GetProperty("properties").EnumerateObject().Select(p => p.Name));

        // A POST route's body is its request message; a GET route's path names its parameters.
        var getUnit = _document.GetProperty("paths").GetProperty("/v1/organizations/GetUnit").GetProperty("post");
        Assert.Equal("#/components/schemas/rectify.organizations.v1.GetUnitRequest",
            getUnit.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal(["code"], schemas.GetProperty("rectify.organizations.v1.GetUnitRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var progress = _document.GetProperty("paths").GetProperty("/v1/progress/{unit_code}/{period.year}/{period.month}").GetProperty("get");
        Assert.Equal(["unit_code", "period.year", "period.month"], progress.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    private static IEnumerable<string> Refs(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => p.Name == "$ref" ? [p.Value.GetString()!] : Refs(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Refs),
        _ => [],
    };
}

/// <summary>The JSON API's error contract on one host: bad input is 400 with the field named and nothing written; no token 401; another unit 403.</summary>
public sealed class JsonApiErrorTests : IAsyncLifetime
{
    private const string Village = "360731203210";
    private const string OtherCounty = "360732000000";
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await TestHost.StartAsync(DbProvider.Sqlite, [new OrganizationsModule(), new MeasuresModule()]);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_bad_request_is_400_naming_the_field_no_token_is_401_and_another_unit_is_403()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_host.HttpUrl) };
        var before = await Rows();
        using var bad = await Post(http, TestHost.Token(Village), "/v1/measures/AddMeasure", """{"planId":"not-an-id","problemId":"also-not","measure":{"description":"修缮活动室"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var status = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
        var detail = status.RootElement.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("@type").GetString()!.EndsWith("google.rpc.BadRequest", StringComparison.Ordinal));
        Assert.Contains("plan_id", detail.GetProperty("fieldViolations").EnumerateArray().Select(v => v.GetProperty("field").GetString()));
        Assert.Equal(before, await Rows());

        using var anonymous = await Post(http, null, "/v1/measures/ListMeasures", """{"scopeCode":"360731203210"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var elsewhere = await Post(http, TestHost.Token(Village), "/v1/measures/ListMeasures", $$"""{"scopeCode":"{{OtherCounty}}"}""");
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        Assert.Equal(7, JsonDocument.Parse(await elsewhere.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetInt32());
    }

    private async Task<string> Rows() =>
        await new MeasuresModule().GetDatabase(_host.Services).ReadAsync(async s =>
            $"{await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM measures")}/{await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages")}");

    internal static async Task<HttpResponseMessage> Post(HttpClient http, string? token, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}
