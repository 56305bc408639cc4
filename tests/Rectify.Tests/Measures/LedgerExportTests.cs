using System.Text;
using ClosedXML.Excel;
using Grpc.Core;
using Rectify.Measures.Ledger;
using Rectify.Measures.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>The ledger as a file: a workbook and a CSV a county office opens in Excel.</summary>
public sealed class LedgerExportTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(DbProvider.Sqlite);
        await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        SetShanghai(_host, new DateTime(2027, 6, 3, 9, 0, 0));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private async Task<(string FileName, string ContentType, byte[] Data)> Export(string scope, ExportFormat format)
    {
        using var call = _host.Measures(County).ExportLedger(new ExportLedgerRequest { ScopeCode = scope, Format = format });
        var data = new MemoryStream();
        string? fileName = null, contentType = null;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            fileName ??= chunk.FileName;
            contentType ??= chunk.ContentType;
            chunk.Data.WriteTo(data);
        }
        return (fileName!, contentType!, data.ToArray());
    }

    [Fact]
    public async Task The_workbook_has_Chinese_headers_and_one_row_per_measure()
    {
        var (fileName, contentType, data) = await Export(County, ExportFormat.Xlsx);
        Assert.Equal("整顿台账-360731000000-20270603.xlsx", fileName);
        Assert.Contains("spreadsheetml", contentType);
        using var workbook = new XLWorkbook(new MemoryStream(data));
        var sheet = workbook.Worksheet("台账");
        Assert.Equal(LedgerExport.Headers, Enumerable.Range(1, LedgerExport.Headers.Length).Select(c => sheet.Cell(1, c).GetString()));
        Assert.Equal(7, sheet.LastRowUsed().RowNumber()); // header + 6 measures
        Assert.Equal(("铁山垅镇", "上坪村", "村级集体经济薄弱、带富能力不强"), (sheet.Cell(2, 2).GetString(), sheet.Cell(2, 3).GetString(), sheet.Cell(2, 5).GetString()));
        Assert.Equal("刘文华、陈建国", sheet.Cell(2, 7).GetString());
        Assert.Equal(new DateTime(2027, 9, 30), sheet.Cell(2, 8).GetDateTime());
        // 落实三会一课 was due 31 May: three days overdue on 3 June.
        var overdueRow = Enumerable.Range(2, 6).Single(r => sheet.Cell(r, 6).GetString() == "落实三会一课" && sheet.Cell(r, 3).GetString() == "上坪村");
        Assert.Equal(("未开始", "是", 3), (sheet.Cell(overdueRow, 10).GetString(), sheet.Cell(overdueRow, 12).GetString(), sheet.Cell(overdueRow, 13).GetValue<int>()));
    }

    [Fact]
    public async Task The_csv_opens_as_Chinese_text_and_stays_within_the_callers_units()
    {
        var (fileName, _, data) = await Export(TownshipA, ExportFormat.Csv);
        Assert.EndsWith(".csv", fileName);
        Assert.Equal(Encoding.UTF8.GetPreamble(), data[..3]);
        List<string> lines = [.. Encoding.UTF8.GetString(data[3..]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
        Assert.Equal(string.Join(",", LedgerExport.Headers), lines[0]);
        Assert.Equal(4, lines.Count);
        Assert.All(lines.Skip(1), l => Assert.Contains("上坪村", l));

        var township = _host.Measures(TownshipA);
        await Rpc.Refused(StatusCode.PermissionDenied, async () =>
        {
            using var call = township.ExportLedger(new ExportLedgerRequest { ScopeCode = TownshipB });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
    }
}
