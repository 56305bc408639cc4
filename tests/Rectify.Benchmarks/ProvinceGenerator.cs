using Rectify.Organizations.V1;

namespace Rectify.Benchmarks;

/// <summary>
/// A generated province shaped like a real one: 10 cities × 10 counties, 15
/// townships a county, 16–17 villages a township: 100 counties, 1,500
/// townships, 25,000 villages. Deterministic, so runs compare.
/// </summary>
public static class ProvinceGenerator
{
    public const string Province = "360000000000";

    public static List<ImportUnitRow> Rows()
    {
        var rows = new List<ImportUnitRow>();
        void Add(string code, string name, string parent) => rows.Add(new ImportUnitRow { Line = rows.Count + 2, Code = code, Name = name, ParentCode = parent });
        Add(Province, "江西省", "");
        for (var city = 1; city <= 10; city++)
        {
            var cityCode = $"36{city:D2}00000000";
            Add(cityCode, $"第{city}市", Province);
            for (var county = 1; county <= 10; county++)
            {
                var countyCode = $"36{city:D2}{county + 20:D2}000000";
                Add(countyCode, $"第{city}-{county}县", cityCode);
                for (var township = 1; township <= 15; township++)
                {
                    var townshipCode = $"{countyCode[..6]}{township + 100:D3}000";
                    Add(townshipCode, $"第{township}镇", countyCode);
                    // 250 villages a county: 17 in two townships of three, 16 in the third.
                    var villages = township % 3 == 0 ? 16 : 17;
                    for (var v = 1; v <= villages; v++)
                        Add($"{townshipCode[..9]}{v + 200:D3}", $"第{v}村", townshipCode);
                }
            }
        }
        return rows;
    }

    /// <summary>A county in the middle of the province.</summary>
    public const string County = "360525000000";
}
