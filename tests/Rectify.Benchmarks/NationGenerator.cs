using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;

namespace Rectify.Benchmarks;

/// <summary>
/// A generated nation shaped like China's: 31 provinces, 9 cities a province, 10 counties a city (2,790 counties),
/// 13–14 townships a county (about 38,000), 12–13 villages a township (about 490,000); codes as real ones are laid out
/// (province 2 digits, city 2, county 2, township 3, village 3). One campaign (2027) designates every 20th village
/// (5 %, about 24,500 targets) on 15 March, each with a plan and 20 measures whose statuses and histories are as their
/// events would have left them by early August; July's township reports and county summaries are in. Written straight
/// into the gateway's read model (the services are not needed). Deterministic, so runs compare.
/// </summary>
public static class NationGenerator
{
    public const int CampaignYear = 2027;
    public const int MeasuresPerTarget = 20;
    public static readonly DateOnly DesignatedOn = new(2027, 3, 15);
    public static readonly DateOnly CampaignEndsOn = new(2027, 12, 31);
    /// <summary>The month whose reports are in (submitted in early August).</summary>
    public const string ReportedPeriod = "2027-07";

    /// <summary>31 province-level codes (the real ones: 11 北京 … 65 新疆).</summary>
    public static readonly int[] Provinces = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65];

    public sealed record Unit(string Code, string Name, string? ParentCode);

    /// <summary>A measure as generated: what an event about it must carry to be newer (its version) and where it stands.</summary>
    public sealed record Measure(string Id, string VillageCode, DateOnly Deadline, MeasureStatus Status, int Version);

    public sealed record Report(string UnitCode, ReportKind Kind, string CountyCode, int Revision, ReportIndicators Totals);

    public sealed class Nation
    {
        public List<Unit> Units { get; } = [];
        public List<Unit> Targets { get; } = [];
        public List<Measure> Measures { get; } = [];
        public int HistoryRows { get; set; }
        public int Plans { get; set; }
        /// <summary>July's reports, by unit (townships and county summaries).</summary>
        public Dictionary<string, Report> Reports { get; } = [];
        /// <summary>Townships with a target that have not reported July yet.</summary>
        public List<string> TownshipsNotReported { get; } = [];
        public Dictionary<string, string> Names { get; } = [];
        public TimeSpan Generated { get; set; }
    }

    /// <summary>The units of the first <paramref name="provinces"/> provinces (31: the whole nation).</summary>
    public static List<Unit> Units(int provinces)
    {
        var units = new List<Unit>();
        foreach (var province in Provinces.Take(provinces))
        {
            var provinceCode = $"{province:D2}0000000000";
            units.Add(new(provinceCode, $"第{province}省", null));
            for (var city = 1; city <= 9; city++)
            {
                var cityCode = $"{province:D2}{city:D2}00000000";
                units.Add(new(cityCode, $"第{city}市", provinceCode));
                for (var county = 1; county <= 10; county++)
                {
                    var countyCode = $"{cityCode[..4]}{county + 20:D2}000000";
                    units.Add(new(countyCode, $"第{county}县", cityCode));
                    // 14 townships in two counties of three, 13 in the third: 13.67 a county.
                    var townships = county % 3 == 0 ? 13 : 14;
                    for (var township = 1; township <= townships; township++)
                    {
                        var townshipCode = $"{countyCode[..6]}{township + 100:D3}000";
                        units.Add(new(townshipCode, $"第{township}镇", countyCode));
                        // 13 villages in six townships of seven, 12 in the seventh: 12.86 a township.
                        var villages = township % 7 == 0 ? 12 : 13;
                        for (var v = 1; v <= villages; v++)
                            units.Add(new($"{townshipCode[..9]}{v + 200:D3}", $"第{v}村", townshipCode));
                    }
                }
            }
        }
        return units;
    }

    /// <summary>Writes the nation into <paramref name="file"/>'s read model (migrated already) in one transaction, one prepared statement a table.</summary>
    public static async Task<Nation> WriteAsync(string file, int provinces)
    {
        var watch = Stopwatch.StartNew();
        var nation = new Nation();
        nation.Units.AddRange(Units(provinces));
        foreach (var unit in nation.Units) nation.Names[unit.Code] = unit.Name;
        var random = new Random(2027);
        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;";
            await pragma.ExecuteNonQueryAsync();
        }
        await using var tx = await connection.BeginTransactionAsync();

        var units = Prepare(connection, "INSERT INTO rm_units (code, name, parent_code, closed_on, writes) VALUES ($code, $name, $parent, NULL, 1)", "$code", "$name", "$parent");
        var villageIndex = 0;
        foreach (var unit in nation.Units)
        {
            units.Run(unit.Code, unit.Name, (object?)unit.ParentCode ?? DBNull.Value);
            if (unit.Code[9..] != "000" && villageIndex++ % 20 == 0) nation.Targets.Add(unit);
        }

        var targets = Prepare(connection, """
            INSERT INTO rm_targets (village_code, campaign_year, village_name, status, designated_on, campaign_ends_on, as_of, version, facts_version, writes)
            VALUES ($v, 2027, $name, $status, '2027-03-15', '2027-12-31', '2027-03-15 02:00:00', $version, 1, 1)
            """, "$v", "$name", "$status", "$version");
        var plans = Prepare(connection, """
            INSERT INTO rm_plans (village_code, campaign_year, phases, starts_on, campaign_ends_on, writes) VALUES ($v, 2027, $phases, '2027-04-01', '2027-12-31', 1)
            """, "$v", "$phases");
        var phases = JsonSerializer.Serialize(new List<PlanPhase>
        {
            new("调查摸底", new DateOnly(2027, 4, 30)), new("集中整顿", new DateOnly(2027, 9, 30)), new("巩固提升", new DateOnly(2027, 12, 31)),
        });
        var measures = Prepare(connection, """
            INSERT INTO rm_measures (id, village_code, campaign_year, deadline, status, completed_on, closed_on, as_of, version, writes)
            VALUES ($id, $v, 2027, $deadline, $status, $completed, $closed, $asof, $version, $version)
            """, "$id", "$v", "$deadline", "$status", "$completed", "$closed", "$asof", "$version");
        var history = Prepare(connection, "INSERT INTO rm_measure_history (measure_id, at, status, on_date, deadline) VALUES ($id, $at, $status, $on, $deadline)",
            "$id", "$at", "$status", "$on", "$deadline");
        var guid = new byte[16];
        foreach (var target in nation.Targets)
        {
            // A few targets already passed acceptance (转化) or failed it (回炉): versions 2, the rest designated.
            var roll = random.Next(100);
            var status = roll < 3 ? 2 : roll < 4 ? 3 : 1;
            targets.Run(target.Code, target.Name, status, status == 1 ? 1 : 2);
            // Nine plans in ten are made by August.
            if (random.Next(10) != 0)
            {
                plans.Run(target.Code, phases);
                nation.Plans++;
            }
            for (var m = 0; m < MeasuresPerTarget; m++)
            {
                random.NextBytes(guid);
                var id = new Guid(guid).ToString();
                var deadline = new DateOnly(2027, 5, 1).AddDays(random.Next(0, 245));
                // Created when the plan was made; then, by early August: 15 % not started, 45 % in progress, 18 % completed
                // (awaiting 销号), 18 % closed, 4 % reopened after a failed check (with a new deadline).
                var steps = new List<(MeasureStatus Status, DateOnly On, DateOnly Deadline)> { (MeasureStatus.NotStarted, new DateOnly(2027, 4, 1).AddDays(random.Next(0, 20)), deadline) };
                var fate = random.Next(100);
                DateOnly? completed = null, closed = null;
                if (fate >= 15) steps.Add((MeasureStatus.InProgress, steps[^1].On.AddDays(random.Next(3, 30)), deadline));
                if (fate >= 60)
                {
                    var on = Min(steps[^1].On.AddDays(random.Next(10, 60)), new DateOnly(2027, 8, 2));
                    steps.Add((MeasureStatus.Completed, on, deadline));
                    completed = on;
                }
                if (fate >= 78 && fate < 96)
                {
                    var on = Min(steps[^1].On.AddDays(random.Next(1, 20)), new DateOnly(2027, 8, 2));
                    steps.Add((MeasureStatus.Closed, on, deadline));
                    closed = on;
                }
                else if (fate >= 96)
                {
                    var on = Min(steps[^1].On.AddDays(random.Next(1, 15)), new DateOnly(2027, 8, 2));
                    deadline = on.AddDays(60);
                    steps.Add((MeasureStatus.Reopened, on, deadline));
                    completed = null;
                }
                var last = steps[^1];
                foreach (var (s, on, d) in steps)
                    history.Run(id, Stamp(on), (int)s, Day(on), Day(d));
                nation.HistoryRows += steps.Count;
                measures.Run(id, target.Code, Day(last.Deadline), (int)last.Status, completed is { } c ? Day(c) : DBNull.Value,
                    closed is { } x ? Day(x) : DBNull.Value, Stamp(last.On), steps.Count);
                nation.Measures.Add(new Measure(id, target.Code, last.Deadline, last.Status, steps.Count));
            }
        }

        // July's reports: nine townships in ten with a target have submitted (most on the 1st–3rd, accepted by the county
        // or awaiting review), and the counties whose townships are all in have sent their summaries.
        var reports = Prepare(connection, """
            INSERT INTO rm_reports (unit_code, period, kind, status, timeliness, totals, as_of, version, totals_version, writes)
            VALUES ($unit, '2027-07', $kind, $status, 2, $totals, '2027-08-02 02:00:00', $version, 1, $version)
            """, "$unit", "$kind", "$status", "$totals", "$version");
        foreach (var county in nation.Targets.GroupBy(t => t.Code[..6]))
        {
            var all = true;
            foreach (var township in county.GroupBy(t => t.ParentCode!))
            {
                if (random.Next(10) == 0)
                {
                    nation.TownshipsNotReported.Add(township.Key);
                    all = false;
                    continue;
                }
                var villages = township.Count();
                var totals = new ReportIndicators(4 * villages, villages, random.Next(0, 3), 10 * villages, random.Next(0, 5), 120_000L * villages);
                var accepted = random.Next(2) == 0;
                reports.Run(township.Key, (int)ReportKind.Township, accepted ? 3 : 2, JsonSerializer.Serialize(totals), accepted ? 2 : 1);
                nation.Reports[township.Key] = new Report(township.Key, ReportKind.Township, county.Key + "000000", 1, totals);
            }
            if (!all) continue;
            var summary = new ReportIndicators(0, 0, 0, 0, 0, 0);
            reports.Run(county.Key + "000000", (int)ReportKind.CountySummary, 2, JsonSerializer.Serialize(summary), 1);
            nation.Reports[county.Key + "000000"] = new Report(county.Key + "000000", ReportKind.CountySummary, county.Key + "000000", 1, summary);
        }
        await tx.CommitAsync();
        nation.Generated = watch.Elapsed;
        return nation;
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd");
    // Events of a day at 10:00 in Shanghai, stored in UTC.
    private static string Stamp(DateOnly date) => date.ToString("yyyy-MM-dd") + " 02:00:00";

    private sealed class Insert(SqliteCommand command, SqliteParameter[] parameters)
    {
        public void Run(params object[] values)
        {
            for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i];
            command.ExecuteNonQuery();
        }
    }

    private static Insert Prepare(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameters = names.Select(n => command.Parameters.Add(n, SqliteType.Text)).ToArray();
        command.Prepare();
        return new Insert(command, parameters);
    }
}
