using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rectify.Common.V1;
using Rectify.Host;
using Rectify.Kernel;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Documents.OrganizationDocuments;

namespace Rectify.Tests.Documents;

/// <summary>
/// /v1/documents over plain HTTP through the real host (every module, the demo county): the template as a download
/// named in Chinese, an import's report as JSON, and the JSON API's refusals (401, 403, 400 with the Chinese reason).
/// Only dry runs and refused files: nothing is written.
/// </summary>
public sealed class DocumentRouteTests : IAsyncLifetime
{
    private const string Xinbei = "360731203000";   // 新陂乡
    private const string Gongjiang = "360731100000"; // 贡江镇, another township

    private TestHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, new Dictionary<string, string?>
        {
            ["Rectify:Demo"] = "true",
            ["Rectify:Measures:ScheduleScans"] = "false",
        });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private HttpClient Http(string? org = Xinbei)
    {
        var http = new HttpClient { BaseAddress = new Uri(_host.HttpUrl) };
        if (org is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.Token(org, Role.Officer, "xinbei.clerk"));
        return http;
    }

    [Fact]
    public async Task The_units_template_downloads_as_a_workbook_named_in_chinese_and_a_filled_one_dry_runs_to_a_json_report()
    {
        using var http = Http();
        using var template = await http.GetAsync($"/v1/documents/templates/units?scope={Xinbei}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", template.Content.Headers.ContentType?.MediaType);
        Assert.Equal("新陂乡-单位名单-模板.xlsx", template.Content.Headers.ContentDisposition?.FileNameStar);
        var bytes = await template.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        var filled = Fill(bytes, "单位名单", ["360731203298", "路由试村", ""]);
        using var answer = await http.PostAsync($"/v1/documents/imports/units?scope={Xinbei}&dryRun=true&fileName=单位.xlsx", new ByteArrayContent(filled), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var report = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.False(report.GetProperty("applied").GetBoolean());
        Assert.Equal((1, 1), (report.GetProperty("rows").GetInt32(), report.GetProperty("added").GetInt32()));
        Assert.Equal("共1行，检查通过：可新增1，修改0，未变0。", report.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task Refusals_are_the_json_apis_401_without_a_token_403_outside_the_scope_and_400_with_the_chinese_reason()
    {
        using var anonymous = Http(null);
        using var unsigned = await anonymous.GetAsync($"/v1/documents/templates/units?scope={Xinbei}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        using var http = Http();
        using var outside = await http.GetAsync($"/v1/documents/templates/units?scope={Gongjiang}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        using var outsideImport = await http.PostAsync($"/v1/documents/imports/units?scope={Gongjiang}&dryRun=true", new ByteArrayContent("360731100298,越界村\n"u8.ToArray()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, outsideImport.StatusCode);

        using var pdf = await http.PostAsync($"/v1/documents/imports/units?scope={Xinbei}", new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n")), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, pdf.StatusCode);
        var body = await pdf.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var violation = JsonDocument.Parse(body).RootElement.GetProperty("details")[0].GetProperty("fieldViolations")[0];
        Assert.Equal("file", violation.GetProperty("field").GetString());
        Assert.Contains("这是PDF文件，不是Excel工作簿", violation.GetProperty("description").GetString());
    }
}
