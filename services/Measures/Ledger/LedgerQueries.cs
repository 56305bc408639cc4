using System.Text.Json;
using Dapper;
using Rectify.Events.Measures;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using MeasureStatus = Rectify.Measures.V1.MeasureStatus;

namespace Rectify.Measures.Ledger;

/// <summary>
/// Reading the ledger (台账) of any unit's subtree: a filtered, sorted, paged
/// list, and counts for the whole, each child unit and each target. A subtree
/// is a range of village codes, so every query is a range scan on one index.
/// </summary>
public sealed class LedgerQueries(Database<MeasuresModule> database, TimeProvider clock)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>The WHERE clause and parameters of a ledger filter, built from fixed fragments only.</summary>
    private sealed class Filter
    {
        public List<string> Clauses { get; } = [];
        public DynamicParameters Parameters { get; } = new();
        public string Where => string.Join(" AND ", Clauses);
    }

    public async Task<ListMeasuresResponse> ListAsync(Caller caller, ListMeasuresRequest request, CancellationToken ct)
    {
        var today = clock.Today();
        var input = ListMeasuresInput.Parse(request, today);
        caller.EnsureCanRead(input.Scope);
        var paging = input.Page;
        var filter = BuildFilter(input, today);
        var (low, high) = input.Scope.SubtreeRange;
        filter.Clauses.Insert(0, "village_code >= @low AND village_code <= @high");
        filter.Parameters.Add("low", low);
        filter.Parameters.Add("high", high);

        var order = input.Sort switch
        {
            MeasureSort.Village => "village_code, deadline, id",
            MeasureSort.Updated => "updated_at DESC, id",
            _ => "deadline, village_code, id",
        };
        filter.Parameters.Add("limit", paging.Size);
        filter.Parameters.Add("offset", paging.Offset);
        var (rows, total) = await database.ReadAsync(async c =>
        {
            var page = (await c.QueryAsync<MeasureRow>($"""
                SELECT {MeasureRow.Columns} FROM measures WHERE {filter.Where}
                ORDER BY {order} {database.Sql.Page("@limit", "@offset")}
                """, filter.Parameters)).ToList();
            var count = await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM measures WHERE {filter.Where}", filter.Parameters);
            return (page, count);
        }, ct);
        var response = new ListMeasuresResponse
        {
            TotalSize = total,
            Page = new PageResponse { NextPageToken = paging.NextToken(rows.Count, total) },
        };
        response.Measures.AddRange(rows.Select(r => r.ToProto(today)));
        await NameTownshipsAsync(response.Measures, ct);
        return response;
    }

    /// <summary>Each line's township beside its code, as the designation named it (the targets table).</summary>
    private async Task NameTownshipsAsync(IList<Measure> measures, CancellationToken ct)
    {
        if (measures.Count == 0) return;
        var villages = measures.Select(m => m.VillageCode).Distinct().ToArray();
        var names = await database.ReadAsync(async c => (await c.QueryAsync<(string Village, string Township)>(
            $"SELECT village_code, township_name FROM targets WHERE {database.Sql.InList("village_code", "@villages")} ORDER BY campaign_year",
            new { villages })).GroupBy(n => n.Village).ToDictionary(g => g.Key, g => g.Last().Township), ct); // a village targeted in several years: its latest name
        foreach (var measure in measures)
        {
            measure.TownshipCode = OrgCode.Parse(measure.VillageCode).AncestorAt(OrgLevel.Township).Value;
            measure.TownshipName = names.GetValueOrDefault(measure.VillageCode) ?? "";
        }
    }

    private Filter BuildFilter(ListMeasuresInput input, DateOnly today)
    {
        var filter = new Filter();
        var where = filter.Clauses;
        var parameters = filter.Parameters;
        if (input.Statuses.Count > 0)
        {
            where.Add(database.Sql.InList("status", "@statuses"));
            parameters.Add("statuses", input.Statuses.Select(s => (int)s).ToArray());
        }
        if (input.OverdueOnly)
        {
            where.Add($"{database.Sql.InList("status", "@open")} AND deadline < @today");
            parameters.Add("open", MeasureRules.OpenStatuses);
            parameters.Add("today", today);
        }
        if (input.CategoryCode is { } category)
        {
            where.Add("category_code = @category");
            parameters.Add("category", category);
        }
        if (input.ResponsiblePerson is { } person)
        {
            where.Add(@"responsible_persons LIKE @person ESCAPE '\'");
            parameters.Add("person", "%|" + database.Sql.LikeEscape(person) + "|%");
        }
        if (input.DeadlineFrom is { } from)
        {
            where.Add("deadline >= @from");
            parameters.Add("from", from);
        }
        if (input.DeadlineTo is { } to)
        {
            where.Add("deadline <= @to");
            parameters.Add("to", to);
        }
        if (input.CampaignYear != 0)
        {
            where.Add("campaign_year = @year");
            parameters.Add("year", input.CampaignYear);
        }
        return filter;
    }

    /// <summary>A campaign-year filter: 0 for every year, else a year campaigns can have (2000 to next year); true when it filters.</summary>
    internal static bool CampaignYear(Violations v, string field, int year, DateOnly today)
    {
        if (year == 0) return false;
        return v.Check(year >= 2000 && year <= today.Year + 1, field, $"must be 0 (every year) or a campaign year from 2000 to {today.Year + 1}");
    }

    public async Task<LedgerCounts> CountsAsync(Caller caller, GetLedgerCountsRequest request, CancellationToken ct)
    {
        var today = clock.Today();
        var (scope, year, totalsOnly) = GetLedgerCountsInput.Parse(request, today);
        caller.EnsureCanRead(scope);
        if (totalsOnly) return await TotalsAsync(scope, year, today, ct);
        var (low, high) = scope.SubtreeRange;
        var parameters = new { low, high, today, open = MeasureRules.OpenStatuses, year };
        var (rows, plans) = await database.ReadAsync(async c =>
        {
            // One row per target, kept with each measure change (TargetMeasureCounts); overdue counted again only for rows of another day.
            var counted = (await c.QueryAsync<TargetCountRow>("""
                SELECT village_code AS VillageCode, campaign_year AS CampaignYear, total AS Total, completed AS Completed, closed AS Closed,
                       overdue AS Overdue, reopened AS Reopened, overdue_on AS OverdueOn
                FROM target_measure_counts
                WHERE village_code >= @low AND village_code <= @high AND (@year = 0 OR campaign_year = @year)
                ORDER BY village_code, campaign_year
                """, parameters)).ToList();
            if (counted.Any(r => r.OverdueOn != today))
            {
                var overdue = (await c.QueryAsync<TargetCountRow>($"""
                    SELECT village_code AS VillageCode, campaign_year AS CampaignYear, COUNT(*) AS Overdue FROM measures
                    WHERE village_code >= @low AND village_code <= @high AND (@year = 0 OR campaign_year = @year)
                      AND {database.Sql.InList("status", "@open")} AND deadline < @today
                    GROUP BY village_code, campaign_year
                    """, parameters)).ToDictionary(o => (o.VillageCode, o.CampaignYear), o => o.Overdue);
                foreach (var row in counted.Where(r => r.OverdueOn != today))
                    row.Overdue = overdue.GetValueOrDefault((row.VillageCode, row.CampaignYear));
            }
            var named = await c.QueryAsync<PlanName>("""
                SELECT p.village_code AS VillageCode, p.campaign_year AS CampaignYear, p.id AS PlanId, t.village_name AS VillageName,
                       t.township_name AS TownshipName, p.phases AS Phases, p.starts_on AS StartsOn, t.campaign_ends_on AS CampaignEndsOn
                FROM plans p JOIN targets t ON t.village_code = p.village_code AND t.campaign_year = p.campaign_year
                WHERE p.village_code >= @low AND p.village_code <= @high AND (@year = 0 OR p.campaign_year = @year)
                """, parameters);
            return (counted, named.ToDictionary(n => (n.VillageCode, n.CampaignYear)));
        }, ct);

        var result = new LedgerCounts { ScopeCode = scope.Value, AsOf = today.ToProto(), Total = new Counts() };
        var childLevel = scope.IsNation ? OrgLevel.Province : scope.Level + 1;
        var children = new SortedDictionary<string, Counts>(StringComparer.Ordinal);
        // Names beside codes: the measures service knows villages and townships by the designations' names.
        var childNames = new Dictionary<string, string>();
        foreach (var row in rows)
        {
            var counts = row.ToCounts();
            var plan = plans[(row.VillageCode, row.CampaignYear)];
            var township = OrgCode.Parse(row.VillageCode).AncestorAt(OrgLevel.Township).Value;
            var phase = TargetPhase.At(JsonSerializer.Deserialize<List<PlanPhase>>(plan.Phases), plan.StartsOn, plan.CampaignEndsOn, today);
            result.Targets.Add(new TargetCounts
            {
                VillageCode = row.VillageCode, VillageName = plan.VillageName, PlanId = plan.PlanId, Counts = counts,
                TownshipCode = township, TownshipName = plan.TownshipName, Phase = phase.Name,
            });
            Add(result.Total, counts);
            if (scope.Level == OrgLevel.Village) continue;
            var child = OrgCode.Parse(row.VillageCode).AncestorAt(childLevel).Value;
            if (!children.TryGetValue(child, out var sum)) children[child] = sum = new Counts();
            Add(sum, counts);
            if (childLevel == OrgLevel.Township) childNames[child] = plan.TownshipName;
            else if (childLevel == OrgLevel.Village) childNames[child] = plan.VillageName;
        }
        result.Children.AddRange(children.Select(c => new UnitCounts { Code = c.Key, Counts = c.Value, Name = childNames.GetValueOrDefault(c.Key) ?? "" }));
        return result;
    }

    /// <summary>
    /// The total and each child unit of <see cref="CountsAsync"/> without its per-target rows. Above a township, from the kept
    /// unit rows (<see cref="UnitMeasureCounts"/>): the scope's own rows and its children's, when every one is of today;
    /// else, and for a township or a village, from the target rows (<see cref="TotalsFromTargetsAsync"/>).
    /// </summary>
    private async Task<LedgerCounts> TotalsAsync(OrgCode scope, int year, DateOnly today, CancellationToken ct)
    {
        if (scope.Level is OrgLevel.Township or OrgLevel.Village) return await TotalsFromTargetsAsync(scope, year, today, ct);
        var childLevel = scope.IsNation ? OrgLevel.Province : scope.Level + 1;
        var length = childLevel switch { OrgLevel.Province => 2, OrgLevel.City => 4, OrgLevel.County => 6, _ => 9 };
        var (low, high) = scope.SubtreeRange;
        // The nation has no row of its own: its total is its provinces'.
        var parameters = new { scope = scope.Value, parent = scope.Parent?.Value ?? OrgCode.Nation.Value, year, low, high, length };
        var kept = await database.ReadAsync<(List<UnitCountRow> Units, Dictionary<string, string> Names)?>(async c =>
        {
            var rows = (await c.QueryAsync<UnitCountRow>("""
                SELECT unit_code AS Code, targets AS Targets, total AS Total, completed AS Completed, closed AS Closed, reopened AS Reopened,
                       overdue AS Overdue, overdue_on AS OverdueOn
                FROM unit_measure_counts WHERE parent_code = @scope AND (@year = 0 OR campaign_year = @year)
                UNION ALL
                SELECT unit_code, targets, total, completed, closed, reopened, overdue, overdue_on
                FROM unit_measure_counts WHERE parent_code = @parent AND unit_code = @scope AND (@year = 0 OR campaign_year = @year)
                """, parameters)).ToList();
            // A unit of another day (its overdue not yet as of today) is not answered as is: the target rows answer instead.
            if (rows.Any(r => r.OverdueOn != today)) return null;
            var names = childLevel == OrgLevel.Township ? await ChildNamesAsync(c, childLevel, parameters) : new Dictionary<string, string>();
            return (rows, names);
        }, ct);
        if (kept is not { } found) return await TotalsFromTargetsAsync(scope, year, today, ct);
        var (units, childNames) = found;

        var result = new LedgerCounts { ScopeCode = scope.Value, AsOf = today.ToProto(), Total = new Counts() };
        var children = new SortedDictionary<string, (long Targets, Counts Counts)>(StringComparer.Ordinal);
        foreach (var row in units)
        {
            var counts = row.ToCounts();
            if (row.Code == scope.Value) { Add(result.Total, counts); continue; }
            if (scope.IsNation) Add(result.Total, counts);
            var sum = children.GetValueOrDefault(row.Code, (0, new Counts()));
            Add(sum.Counts, counts);
            children[row.Code] = (sum.Targets + row.Targets, sum.Counts);
        }
        // A child is in the full answer when it has a target of the year(s) asked, measures or not.
        foreach (var (code, (targets, counts)) in children.Where(c => c.Value.Targets > 0))
            result.Children.Add(new UnitCounts { Code = code, Counts = counts, Name = childNames.GetValueOrDefault(code[..length]) ?? "" });
        return result;
    }

    /// <summary>
    /// Totals-only from the kept per-target counts: one grouped query (a child is a prefix of the village code), the overdue
    /// of rows of another day counted again from the measures (grouped too), and the names of township or village children
    /// as the full answer takes them.
    /// </summary>
    private async Task<LedgerCounts> TotalsFromTargetsAsync(OrgCode scope, int year, DateOnly today, CancellationToken ct)
    {
        var (low, high) = scope.SubtreeRange;
        var childLevel = scope.IsNation ? OrgLevel.Province : scope.Level == OrgLevel.Village ? OrgLevel.Village : scope.Level + 1;
        // The child's code is the village code's first `length` digits: the segment ends of OrgCode (2, 4, 6, 9, 12).
        var length = childLevel switch { OrgLevel.Province => 2, OrgLevel.City => 4, OrgLevel.County => 6, OrgLevel.Township => 9, _ => 12 };
        var parameters = new { low, high, today, open = MeasureRules.OpenStatuses, year, length };
        var (sums, names) = await database.ReadAsync(async c =>
        {
            var grouped = (await c.QueryAsync<ChildCountRow>($"""
                SELECT code AS Code, SUM(total) AS Total, SUM(completed) AS Completed, SUM(closed) AS Closed, SUM(reopened) AS Reopened,
                       SUM(kept_overdue) AS Overdue, SUM(stale) AS Stale
                FROM (SELECT {(database.Sql.Provider == DbProvider.SqlServer ? "SUBSTRING" : "SUBSTR")}(village_code, 1, @length) AS code, total, completed, closed, reopened,
                             CASE WHEN overdue_on = @today THEN overdue ELSE 0 END AS kept_overdue,
                             CASE WHEN overdue_on = @today THEN 0 ELSE 1 END AS stale
                      FROM target_measure_counts
                      WHERE village_code >= @low AND village_code <= @high AND (@year = 0 OR campaign_year = @year)) kept
                GROUP BY code
                """, parameters)).ToList();
            if (grouped.Any(g => g.Stale > 0))
            {
                // Rows of another day: their overdue as of today, from the measures (the rule of CountsAsync).
                var overdue = (await c.QueryAsync<ChildCountRow>($"""
                    SELECT code AS Code, COUNT(*) AS Overdue
                    FROM (SELECT {(database.Sql.Provider == DbProvider.SqlServer ? "SUBSTRING" : "SUBSTR")}(m.village_code, 1, @length) AS code
                          FROM target_measure_counts t JOIN measures m ON m.village_code = t.village_code AND m.campaign_year = t.campaign_year
                          WHERE t.village_code >= @low AND t.village_code <= @high AND (@year = 0 OR t.campaign_year = @year)
                            AND (t.overdue_on IS NULL OR t.overdue_on <> @today)
                            AND {database.Sql.InList("m.status", "@open")} AND m.deadline < @today) late
                    GROUP BY code
                    """, parameters)).ToDictionary(o => o.Code, o => o.Overdue);
                foreach (var g in grouped) g.Overdue += overdue.GetValueOrDefault(g.Code);
            }
            if (childLevel is not (OrgLevel.Township or OrgLevel.Village) || scope.Level == OrgLevel.Village) return (grouped, new Dictionary<string, string>());
            return (grouped, await ChildNamesAsync(c, childLevel, parameters));
        }, ct);

        var result = new LedgerCounts { ScopeCode = scope.Value, AsOf = today.ToProto(), Total = new Counts() };
        foreach (var sum in sums.OrderBy(g => g.Code, StringComparer.Ordinal))
        {
            var counts = sum.ToCounts();
            Add(result.Total, counts);
            if (scope.Level == OrgLevel.Village) continue;
            result.Children.Add(new UnitCounts { Code = sum.Code.PadRight(OrgCode.Length, '0'), Counts = counts, Name = names.GetValueOrDefault(sum.Code) ?? "" });
        }
        return result;
    }

    /// <summary>
    /// The names of township or village children (the child's first `length` digits), as the full answer takes them: in its
    /// order, the last row of a child names it (a village's latest year, a township's last village).
    /// </summary>
    private static async Task<Dictionary<string, string>> ChildNamesAsync(DbSession c, OrgLevel childLevel, object parameters)
    {
        var named = await c.QueryAsync<PlanName>("""
            SELECT p.village_code AS VillageCode, t.village_name AS VillageName, t.township_name AS TownshipName
            FROM target_measure_counts k
            JOIN plans p ON p.village_code = k.village_code AND p.campaign_year = k.campaign_year
            JOIN targets t ON t.village_code = p.village_code AND t.campaign_year = p.campaign_year
            WHERE k.village_code >= @low AND k.village_code <= @high AND (@year = 0 OR k.campaign_year = @year)
            ORDER BY k.village_code, k.campaign_year
            """, parameters);
        var length = childLevel == OrgLevel.Township ? 9 : 12;
        var byChild = new Dictionary<string, string>();
        foreach (var n in named)
            byChild[n.VillageCode[..length]] = childLevel == OrgLevel.Township ? n.TownshipName : n.VillageName;
        return byChild;
    }

    /// <summary>The five counts as a query reads them (a target's kept row or a child's sum).</summary>
    private abstract class CountColumns
    {
        public long Total { get; set; }
        public long Completed { get; set; }
        public long Closed { get; set; }
        public long Overdue { get; set; }
        public long Reopened { get; set; }

        public Counts ToCounts() => new() { Total = (int)Total, Completed = (int)Completed, Closed = (int)Closed, Overdue = (int)Overdue, Reopened = (int)Reopened };
    }

    private sealed class UnitCountRow : CountColumns
    {
        public string Code { get; set; } = "";
        public long Targets { get; set; }
        public DateOnly? OverdueOn { get; set; }
    }

    private sealed class ChildCountRow : CountColumns
    {
        public string Code { get; set; } = "";
        public long Stale { get; set; }
    }

    private static void Add(Counts sum, Counts counts)
    {
        sum.Total += counts.Total;
        sum.Completed += counts.Completed;
        sum.Closed += counts.Closed;
        sum.Overdue += counts.Overdue;
        sum.Reopened += counts.Reopened;
    }

    private sealed class PlanName
    {
        public string VillageCode { get; set; } = "";
        public int CampaignYear { get; set; }
        public string PlanId { get; set; } = "";
        public string VillageName { get; set; } = "";
        public string TownshipName { get; set; } = "";
        public string Phases { get; set; } = "[]";
        public DateOnly StartsOn { get; set; }
        public DateOnly CampaignEndsOn { get; set; }
    }

    private sealed class TargetCountRow : CountColumns
    {
        public string VillageCode { get; set; } = "";
        public int CampaignYear { get; set; }
        public DateOnly? OverdueOn { get; set; }
    }
}
