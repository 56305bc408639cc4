using System.Reflection;
using System.Text.RegularExpressions;
using FluentMigrator;
using FluentMigrator.Expressions;
using FluentMigrator.Infrastructure;
using FluentMigrator.Runner;
using FluentMigrator.Runner.Conventions;
using FluentMigrator.Runner.Generators.SqlServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Rectify.Host;
using Rectify.Platform.Storage;

namespace Rectify.Tests.SqlServer;

/// <summary>
/// SQL Server cannot run here, so what Rectify would send it is parsed by Microsoft's own T-SQL parser (SQL Server
/// 2022's grammar): every module's migrations as SQL Server scripts, and every SQL statement in services/ and gateway/
/// rendered with the SQL Server dialect. Semantics, types and locking stay unverified (docs/sqlserver.md).
/// </summary>
public sealed class SqlServerScriptTests(ITestOutputHelper output)
{
    private static readonly string Root = RepositoryRoot();

    /// <summary>Every module's migrations, Platform's included, in version order, as the runner would apply them.</summary>
    public static TheoryData<string> Modules() => [.. ServiceCatalog.All.Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(Modules))]
    public void Every_migration_of_a_module_is_valid_TSql(string module)
    {
        var assembly = ServiceCatalog.All.Single(m => m.Name == module).Assembly;
        var scripts = MigrationScripts(assembly);
        Assert.NotEmpty(scripts);
        var failures = scripts.Select(s => (s.Migration, s.Sql, Errors: Parse(s.Sql))).Where(s => s.Errors.Count > 0).ToList();
        output.WriteLine($"{module}: {scripts.Count} statements from {scripts.Select(s => s.Migration).Distinct().Count()} migrations");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Select(f => $"{f.Migration}:\n{f.Sql}\n→ {string.Join("; ", f.Errors)}")));
    }

    [Fact]
    public void Every_SQL_statement_in_the_services_is_valid_TSql_in_the_SQL_Server_dialect()
    {
        var statements = SqlStatements();
        // A scan that finds nothing proves nothing: the services issue well over a hundred statements.
        Assert.True(statements.Count > 150, $"only {statements.Count} statements found");
        var unresolved = statements.Where(s => s.Sql is null).ToList();
        Assert.True(unresolved.Count == 0, "Holes this test cannot render yet; add them to Holes:\n" + string.Join("\n", unresolved.Select(s => $"{s.Where}: {s.Problem}")));
        var failures = statements.Select(s => (s.Where, s.Sql, Errors: Parse(s.Sql!))).Where(s => s.Errors.Count > 0).ToList();
        output.WriteLine($"{statements.Count} statements parsed from {statements.Select(s => s.Where.Split(':')[0]).Distinct().Count()} files; PostgreSQL only, not parsed: {string.Join(", ", PostgresOnlySeen.Distinct())}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Select(f => $"{f.Where}:\n{f.Sql}\n→ {string.Join("; ", f.Errors)}")));
    }

    [Fact]
    public void The_parser_and_the_scan_catch_what_SQL_Server_would_refuse()
    {
        // The checks above can fail: LIMIT is not T-SQL, and the dialect's own rendering is.
        Assert.NotEmpty(Parse("SELECT id FROM measures ORDER BY id LIMIT @n OFFSET 0"));
        Assert.Empty(Parse($"SELECT id FROM measures ORDER BY id {new Sql(DbProvider.SqlServer).Page("@n", "@o")}"));
        // Dapper's IN @list becomes a parenthesised list before it reaches the server.
        Assert.Empty(Parse(ExpandLists($"SELECT id FROM measures WHERE {new Sql(DbProvider.SqlServer).InList("status", "@open")}")));
        var strings = CSharpStrings.Read("x.cs", """"
            var a = $"""
                SELECT {Columns} FROM t WHERE {(x ? "a = @a" : "b = @b")} {database.Sql.Limit("@n")}
                """;
            // "SELECT in a comment"
            var b = @"UPDATE t SET x = ""y""";
            """");
        Assert.Equal(["SELECT {Columns} FROM t WHERE {(x ? \"a = @a\" : \"b = @b\")} {database.Sql.Limit(\"@n\")}", "UPDATE t SET x = \"y\""],
            strings.Select(s => s.Shown.Trim()));
    }

    private static List<string> Parse(string sql)
    {
        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        return [.. errors.Select(e => $"line {e.Line} col {e.Column}: {e.Message}")];
    }

    // ---- migrations ------------------------------------------------------------------------------------------------

    /// <summary>
    /// The SQL FluentMigrator's SQL Server 2016 generator writes for each migration's Up and Down, without a server: the
    /// expressions each migration declares, with the runner's default conventions, through the generator; Execute.Sql as written.
    /// </summary>
    private static List<(string Migration, string Sql)> MigrationScripts(Assembly module)
    {
        var generator = new SqlServer2016Generator();
        var conventions = new DefaultConventionSet();
        using var services = new ServiceCollection().BuildServiceProvider();
        var migrations = new[] { typeof(Rectify.Platform.Outbox.PlatformMigration).Assembly, module }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IMigration).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<MigrationAttribute>() is not null)
            .OrderBy(t => t.GetCustomAttribute<MigrationAttribute>()!.Version);
        var scripts = new List<(string, string)>();
        foreach (var type in migrations)
        {
            foreach (var up in new[] { true, false })
            {
                var migration = (IMigration)Activator.CreateInstance(type)!;
                var context = new MigrationContext(null!, services, null!);
                if (up) migration.GetUpExpressions(context); else migration.GetDownExpressions(context);
                foreach (var applied in context.Expressions.Apply(conventions))
                {
                    string? sql = applied switch
                    {
                        ExecuteSqlStatementExpression e => e.SqlStatement,
                        // Execute.WithConnection: code, whose SQL literals the statement scan below parses.
                        PerformDBOperationExpression => null,
                        _ => (string)((dynamic)generator).Generate((dynamic)applied),
                    };
                    if (sql is not null) scripts.Add(($"{type.Name}.{(up ? "Up" : "Down")} ({applied.GetType().Name})", sql));
                }
            }
        }
        return scripts;
    }

    // ---- statements in the code --------------------------------------------------------------------------------------

    private sealed record Statement(string Where, string? Sql, string? Problem);

    private static readonly Regex StartsSql = new(@"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\s", RegexOptions.CultureInvariant);

    /// <summary>
    /// A statement the code runs on PostgreSQL alone (behind a provider check, with a common-subset statement beside it for
    /// the others) opens with this comment, which also keeps it out of the T-SQL parse; the PostgreSQL test classes run it.
    /// </summary>
    public const string PostgresOnly = "-- PostgreSQL only";

    private static readonly List<string> PostgresOnlySeen = [];

    /// <summary>
    /// Every literal in services/ and gateway/ that starts as a SQL statement, with its holes rendered: the dialect
    /// helpers (Limit, Page, InList) as SQL Server's, const fragments (Columns, …) by their value, and the few
    /// computed fragments by the table below, which names each one. Dapper's IN @list expansion is applied last.
    /// </summary>
    private static List<Statement> SqlStatements()
    {
        var files = new[] { "services", "gateway" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        var sources = files.ToDictionary(f => f, File.ReadAllText);
        var literals = sources.ToDictionary(kv => kv.Key, kv => CSharpStrings.Read(Path.GetRelativePath(Root, kv.Key), kv.Value));
        var constants = Constants(sources, literals);
        var statements = new List<Statement>();
        foreach (var (file, found) in literals)
            foreach (var literal in found)
            {
                if (literal.Parts.Count == 0 || literal.Parts[0].Hole) continue;
                if (literal.Parts[0].Text.TrimStart().StartsWith(PostgresOnly, StringComparison.Ordinal)) { PostgresOnlySeen.Add($"{literal.File}:{literal.Line}"); continue; }
                if (!StartsSql.IsMatch(literal.Parts[0].Text)) continue;
                var where = $"{literal.File}:{literal.Line}";
                var problems = new List<string>();
                var variants = Render(literal, file, constants, problems);
                if (problems.Count > 0) statements.Add(new(where, null, string.Join("; ", problems)));
                else statements.AddRange(variants.Distinct().Select((sql, n) => new Statement(variants.Count == 1 ? where : $"{where} (form {n + 1})", ExpandLists(sql), null)));
            }
        return statements;
    }

    private static readonly Sql SqlServer = new(DbProvider.SqlServer);

    /// <summary>Computed fragments, by the hole's expression: every form each can take, so each variant is parsed.</summary>
    private static readonly Dictionary<string, string[]> Holes = new()
    {
        // LedgerQueries: the WHERE built from fixed fragments, and the three orders.
        ["filter.Where"] = ["village_code >= @low AND village_code <= @high", "village_code >= @low AND village_code <= @high AND status = @status AND deadline < @today"],
        ["order"] = ["village_code, deadline, id", "updated_at DESC, id", "deadline, village_code, id"],
        // InboxService: the optional filters and the two marks.
        ["filter"] = ["", " AND read_at IS NULL AND kind = @kind"],
        ["set"] = ["read_at = COALESCE(read_at, @now)", "read_at = COALESCE(read_at, @now), acknowledged_at = COALESCE(acknowledged_at, @now), acknowledged_by = COALESCE(acknowledged_by, @by)"],
        ["byNotification"] = ["", " AND d.notification_id = @notification"],
        // The gateway's measure projection: which dates an event sets.
        ["setDates"] = ["", "completed_on = @CompletedOn,", "completed_on = NULL, closed_on = NULL,", "completed_on = @CompletedOn, closed_on = @ClosedOn,"],
        // ExactScores: the committee's four score columns, listed or assigned.
        ["string.Join(\", \", Committee)"] = ["team_operation, organizational_systems, cadre_team, vanguard_role"],
        ["string.Join(\", \", Committee.Select(c => $\"{c} = {c}_hundredths / 100.0\"))"] = ["team_operation = team_operation_hundredths / 100.0, cadre_team = cadre_team_hundredths / 100.0"],
        ["string.Join(\", \", Committee.Select((c, i) => $\"{c}_hundredths = @s{i}\"))"] = ["team_operation_hundredths = @s0, cadre_team_hundredths = @s1"],
        // UnitMeasureCounts and its migration: strings joined with + on SQL Server; the padding and the level's lengths.
        ["concat"] = ["+"],
        ["new string('0', 12 - parent)"] = ["000000"],
        ["new string('0', 12 - level)"] = ["000"],
        ["new string('9', 12 - level)"] = ["999"],
        ["level"] = ["9"],
        ["parent"] = ["6"],
        // Backup: each table's row count, the name quoted (SQLite only, and valid T-SQL too).
        ["table.Replace(\"\\\"\", \"\\\"\\\"\")"] = ["outbox_messages"],
    };

    /// <summary>The literal rendered for SQL Server, once per combination of the forms its holes can take.</summary>
    private static List<string> Render(CSharpString literal, string file, Dictionary<(string File, string Name), CSharpString> constants, List<string> problems)
    {
        var variants = new List<string> { "" };
        foreach (var part in literal.Parts)
        {
            var forms = part.Hole ? Forms(part.Text, file, constants, problems) : [part.Text];
            variants = [.. variants.SelectMany(v => forms.Select(f => v + f))];
        }
        return variants;
    }

    private static List<string> Forms(string hole, string file, Dictionary<(string File, string Name), CSharpString> constants, List<string> problems)
    {
        var dialect = Regex.Match(hole, @"^[\w.]*\bSql\.(?<m>Limit|Page|InList)\((?<a>.*)\)$");
        if (dialect.Success)
        {
            var args = Regex.Matches(dialect.Groups["a"].Value, "\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToArray();
            return [dialect.Groups["m"].Value switch
            {
                "Limit" => SqlServer.Limit(args[0]),
                "Page" => SqlServer.Page(args[0], args[1]),
                _ => SqlServer.InList(args[0], args[1]),
            }];
        }
        if (Regex.Match(hole, @"^(?:(?<type>\w+)\.)?(?<name>\w+)$") is { Success: true } reference
            && Constant(constants, file, reference.Groups["type"].Value, reference.Groups["name"].Value) is { } constant)
            return Render(constant, constant.File, constants, problems);
        if (Holes.TryGetValue(hole, out var forms)) return [.. forms];
        // An enum's number.
        if (Regex.IsMatch(hole, @"^\(int\)[\w.]+$")) return ["1"];
        // A choice between two fragments: both.
        if (Regex.Match(hole, "^\\(?[^\"]*\\?\\s*\"(?<a>[^\"]*)\"\\s*:\\s*\"(?<b>[^\"]*)\"\\)?$") is { Success: true } choice)
            return [choice.Groups["a"].Value, choice.Groups["b"].Value];
        problems.Add($"{{{hole}}}");
        return [""];
    }

    /// <summary>const string fields, by file and name, with the class that declares them.</summary>
    private static Dictionary<(string File, string Name), CSharpString> Constants(Dictionary<string, string> sources, Dictionary<string, List<CSharpString>> literals)
    {
        var constants = new Dictionary<(string, string), CSharpString>();
        foreach (var (file, source) in sources)
            foreach (Match m in Regex.Matches(source, @"const\s+string\s+(?<name>\w+)\s*=\s*"))
            {
                var line = 1 + source.AsSpan(0, m.Index + m.Length).Count('\n');
                var literal = literals[file].FirstOrDefault(l => l.Line == line);
                if (literal is not null) constants[(file, m.Groups["name"].Value)] = literal with { File = file };
            }
        return constants;
    }

    private static CSharpString? Constant(Dictionary<(string File, string Name), CSharpString> constants, string file, string type, string name)
    {
        if (type.Length == 0 || type is "this") return constants.GetValueOrDefault((file, name));
        // Type.Name: the file that declares that type.
        var declaring = constants.Keys.Where(k => k.Name == name && Regex.IsMatch(File.ReadAllText(k.File), $@"\b(class|record|struct)\s+{type}\b")).ToList();
        return declaring.Count == 1 ? constants[declaring[0]] : null;
    }

    /// <summary>What Dapper sends for IN @list on SQL Server: one parameter per value, in parentheses.</summary>
    private static string ExpandLists(string sql) => Regex.Replace(sql, @"\bIN\s+@(\w+)", "IN (@$1_1, @$1_2)");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Rectify.sln"))) return dir.FullName;
        throw new InvalidOperationException("Rectify.sln not found above the test's folder.");
    }
}
