using System.Net;
using System.Net.Http.Headers;
using ClosedXML.Excel;
using Rectify.Gateway;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>The 台账 through the gateway's HTTP route, as the pages download it, and as LibreOffice prints it.</summary>
public sealed class LedgerDownloadTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(DbProvider.Sqlite, [new OrganizationsModule(), new MeasuresModule(), new GatewayModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Gateway:RebuildWhenEmpty"] = "false" });
        using (var call = _host.Organizations("000000000000", Role.Service, "admin").ImportUnits())
        {
            var line = 1;
            foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000") })
                await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
            await call.RequestStream.CompleteAsync();
            Assert.Empty((await call).Errors);
        }
        SetShanghai(_host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(_host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        foreach (var (township, village) in new[] { (TownshipA, TargetA1), (TownshipA, TargetA2), (TownshipB, TargetB1) })
            await _host.Measures(township).CreatePlanAsync(SimplePlan(village));
        SetShanghai(_host, new DateTime(2027, 6, 3, 9, 0, 0));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_route_returns_the_workbook_under_its_Chinese_name_and_it_prints_on_A4_landscape()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_host.HttpUrl}/v1/documents/ledgers/{County}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.Token(County, Role.Viewer));
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("于都县整顿台账-20270603.xlsx", disposition.FileNameStar);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using (var workbook = new XLWorkbook(new MemoryStream(bytes)))
            Assert.Equal(["汇总", "铁山垅镇", "盘古山镇"], workbook.Worksheets.Select(s => s.Name));

        // Three sheets, each a page at this size; the PNGs are in artifacts/documents for a person to look at.
        var (pdf, pages) = await Office.RenderAsync("ledger.xlsx", bytes);
        Assert.True(new FileInfo(pdf).Length > 0);
        Assert.Equal(3, pages.Count);
    }
}
