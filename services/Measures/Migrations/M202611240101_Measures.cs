using FluentMigrator;

namespace Rectify.Measures.Migrations;

[Migration(202611240101, "Targets, plans, problems, measures, their history, deadline occurrences")]
public sealed class M202611240101_Measures : Migration
{
    public override void Up()
    {
        // Reference data: seeded below, extended through SetProblemCategory.
        Create.Table("problem_categories")
            .WithColumn("code").AsString(40).NotNullable().PrimaryKey("pk_problem_categories")
            .WithColumn("name").AsString(100).NotNullable()
            .WithColumn("helping_departments").AsString(1000).NotNullable()
            .WithColumn("position").AsInt32().NotNullable();

        // What the assessment service designated; plans exist only for these.
        Create.Table("targets")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_targets")
            .WithColumn("campaign_year").AsInt32().NotNullable().PrimaryKey("pk_targets")
            .WithColumn("village_name").AsString(100).NotNullable()
            .WithColumn("township_name").AsString(100).NotNullable()
            .WithColumn("county_code").AsString(12).NotNullable()
            .WithColumn("campaign_ends_on").AsDate().NotNullable()
            .WithColumn("designated_at").AsDateTime2().NotNullable();

        Create.Table("plans")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_plans")
            .WithColumn("village_code").AsString(12).NotNullable()
            .WithColumn("campaign_year").AsInt32().NotNullable()
            .WithColumn("starts_on").AsDate().NotNullable()
            .WithColumn("basic_situation").AsString(int.MaxValue).NotNullable()
            .WithColumn("goals").AsString(int.MaxValue).NotNullable()
            .WithColumn("phases").AsString(int.MaxValue).NotNullable()
            .WithColumn("created_by").AsString(100).NotNullable()
            .WithColumn("created_at").AsDateTime2().NotNullable();
        Create.Index("ux_plans_village_year").OnTable("plans").OnColumn("village_code").Ascending().OnColumn("campaign_year").Ascending()
            .WithOptions().Unique();

        Create.Table("problems")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_problems")
            .WithColumn("plan_id").AsString(36).NotNullable()
            .WithColumn("position").AsInt32().NotNullable()
            .WithColumn("category_code").AsString(40).NotNullable()
            .WithColumn("description").AsString(4000).NotNullable();
        Create.Index("ix_problems_plan").OnTable("problems").OnColumn("plan_id").Ascending();

        // The ledger. Village name, year and category are copied in so the ledger reads without joins.
        Create.Table("measures")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_measures")
            .WithColumn("plan_id").AsString(36).NotNullable()
            .WithColumn("problem_id").AsString(36).NotNullable()
            .WithColumn("position").AsInt32().NotNullable()
            .WithColumn("village_code").AsString(12).NotNullable()
            .WithColumn("village_name").AsString(100).NotNullable()
            .WithColumn("campaign_year").AsInt32().NotNullable()
            .WithColumn("category_code").AsString(40).NotNullable()
            .WithColumn("description").AsString(4000).NotNullable()
            .WithColumn("responsible_persons").AsString(1000).NotNullable()
            .WithColumn("deadline").AsDate().NotNullable()
            .WithColumn("ongoing").AsBoolean().NotNullable()
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("percent").AsInt32().NotNullable()
            .WithColumn("reopen_count").AsInt32().NotNullable()
            .WithColumn("created_at").AsDateTime2().NotNullable()
            .WithColumn("updated_at").AsDateTime2().NotNullable();
        // Subtree ledgers and counts read by village range (the counts from this index alone); the deadline scan reads by deadline.
        Create.Index("ix_measures_village").OnTable("measures")
            .OnColumn("village_code").Ascending().OnColumn("campaign_year").Ascending().OnColumn("status").Ascending().OnColumn("deadline").Ascending();
        Create.Index("ix_measures_deadline").OnTable("measures")
            .OnColumn("deadline").Ascending().OnColumn("status").Ascending();
        Create.Index("ix_measures_plan").OnTable("measures").OnColumn("plan_id").Ascending();

        // Each measure's history: appended, never updated.
        Create.Table("measure_changes")
            .WithColumn("id").AsInt64().PrimaryKey("pk_measure_changes").Identity()
            .WithColumn("measure_id").AsString(36).NotNullable()
            .WithColumn("kind").AsInt32().NotNullable()
            .WithColumn("status_after").AsInt32().NotNullable()
            .WithColumn("on_date").AsDate().Nullable()
            .WithColumn("percent").AsInt32().Nullable()
            .WithColumn("note").AsString(4000).Nullable()
            .WithColumn("evidence").AsString(4000).Nullable()
            .WithColumn("verifier").AsString(100).Nullable()
            .WithColumn("new_deadline").AsDate().Nullable()
            .WithColumn("recorded_by").AsString(100).NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();
        Create.Index("ix_measure_changes_measure").OnTable("measure_changes").OnColumn("measure_id").Ascending().OnColumn("id").Ascending();

        // One row per reminder sent: the key makes a second scan, or a second instance, publish nothing twice.
        Create.Table("deadline_occurrences")
            .WithColumn("occurrence_key").AsString(120).NotNullable().PrimaryKey("pk_deadline_occurrences")
            .WithColumn("measure_id").AsString(36).NotNullable()
            .WithColumn("scan_date").AsDate().NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();

        // The days scanned, so a scan after downtime catches up on the days it missed.
        Create.Table("deadline_scans")
            .WithColumn("scan_date").AsDate().NotNullable().PrimaryKey("pk_deadline_scans")
            .WithColumn("finished_at").AsDateTime2().NotNullable();

        var position = 0;
        foreach (var (code, name, departments) in DefaultCategories)
            Insert.IntoTable("problem_categories").Row(new { code, name, helping_departments = departments, position = ++position });
    }

    /// <summary>The standard categories and the departments that usually help (seed 003, and seeds 001/002's problems).</summary>
    private static readonly (string Code, string Name, string Departments)[] DefaultCategories =
    [
        ("COLLECTIVE_ECONOMY", "村级集体经济薄弱、带富能力不强", "农业农村局|财政局|发展改革局"),
        ("WEAK_LEADERSHIP", "班子软弱涣散、组织动员力弱", "组织部|工会|共青团|妇联"),
        ("MASS_CONTACT", "联系服务群众不力、威信不高", "民政局|信访局"),
        ("MEMBER_MANAGEMENT", "党员教育管理不严、作用发挥不好", "组织部"),
        ("CLAN_INTERFERENCE", "宗族房头势力干扰、矛盾纠纷突出", "司法局|信访局"),
        ("PUBLIC_SECURITY", "社会治安问题突出", "公安局|检察院"),
        ("VILLAGE_CUSTOMS", "村风民风不正", "宣传部|文化广电旅游局"),
        ("DISCIPLINE", "违纪违规问题", "纪委监委|审计局"),
        ("ELECTION", "换届选举未完成或遗留问题", "民政局"),
        ("LEGACY_ISSUES", "历史遗留问题较多", "信访局|自然资源局"),
    ];

    public override void Down()
    {
        foreach (var table in new[] { "deadline_scans", "deadline_occurrences", "measure_changes", "measures", "problems", "plans", "targets", "problem_categories" })
            Delete.Table(table);
    }
}
