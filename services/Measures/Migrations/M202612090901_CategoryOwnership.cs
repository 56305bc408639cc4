using FluentMigrator;

namespace Rectify.Measures.Migrations;

/// <summary>
/// Problem categories get owners: the rows already in problem_categories stay as they are and become the national
/// defaults; a province, a city or a county defines its own additions, overrides and retirements for its subtree in
/// problem_category_definitions. Nothing is deleted, and no existing row is rewritten.
/// </summary>
[Migration(202612090901, "Problem categories: national defaults, definitions per unit, retirement, their history")]
public sealed class M202612090901_CategoryOwnership : Migration
{
    public override void Up()
    {
        // A national default is retired by a later migration, never deleted: plans written under it keep it.
        Alter.Table("problem_categories").AddColumn("retired").AsBoolean().NotNullable().WithDefaultValue(false);

        // One row per (unit, code). A null name (with its departments) or a null retired flag says nothing at this
        // level: the nearest unit above that says something wins, and the national default below them all.
        Create.Table("problem_category_definitions")
            .WithColumn("unit_code").AsString(12).NotNullable().PrimaryKey("pk_problem_category_definitions")
            .WithColumn("code").AsString(40).NotNullable().PrimaryKey("pk_problem_category_definitions")
            .WithColumn("name").AsString(100).Nullable()
            .WithColumn("helping_departments").AsString(1000).Nullable()
            .WithColumn("retired").AsBoolean().Nullable()
            .WithColumn("position").AsInt32().NotNullable()
            .WithColumn("updated_by").AsString(100).NotNullable()
            .WithColumn("updated_at").AsDateTime2().NotNullable();

        // Who changed which unit's categories, and how: appended, never updated.
        Create.Table("problem_category_changes")
            .WithColumn("id").AsInt64().PrimaryKey("pk_problem_category_changes").Identity()
            .WithColumn("unit_code").AsString(12).NotNullable()
            .WithColumn("code").AsString(40).NotNullable()
            .WithColumn("kind").AsString(20).NotNullable()
            .WithColumn("name").AsString(100).Nullable()
            .WithColumn("helping_departments").AsString(1000).Nullable()
            .WithColumn("recorded_by").AsString(100).NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();
        Create.Index("ix_problem_category_changes_unit").OnTable("problem_category_changes")
            .OnColumn("unit_code").Ascending().OnColumn("id").Ascending();
    }

    public override void Down()
    {
        Delete.Table("problem_category_changes");
        Delete.Table("problem_category_definitions");
        Delete.Column("retired").FromTable("problem_categories");
    }
}
