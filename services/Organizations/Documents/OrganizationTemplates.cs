using Rectify.Common.V1;
using Rectify.Documents.Workbooks;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;

namespace Rectify.Organizations.Documents;

/// <summary>
/// The organizations service's three templates: 单位名单, 村党组织基本情况 and 四个一联系帮扶. A village is chosen from a
/// drop-down of the scope's own villages as 「名称（代码）」: names alone repeat within a county (several 新屋村), and a
/// code alone means nothing to the clerk who picks it; the code in brackets is what the import keys on.
/// </summary>
public static class OrganizationTemplates
{
    public const string Units = "单位名单";
    public const string Profiles = "村党组织基本情况";
    public const string Assignments = "四个一联系帮扶";

    public const string Code = "单位代码", Name = "单位名称", ParentCode = "上级单位代码";
    public const string Village = "村", Year = "年度";
    public const string OrganizationType = "组织类型", Secretary = "书记姓名", SecretaryIsDirector = "书记兼任村委会主任",
        CommitteeSize = "支委人数", CommitteeVacancies = "支委缺额", Members = "党员人数", WomenMembers = "女党员人数",
        Age30OrUnder = "30岁及以下", Age31To40 = "31至40岁", Age41To45 = "41至45岁", Age46To60 = "46至60岁", AgeOver60 = "60岁以上",
        Households = "户数", Population = "人口", Income = "村集体经营性收入（元）";
    public const string Kind = "帮扶类型", Assignee = "姓名或单位", Position = "职务", Phone = "联系电话", AssignedOn = "派驻日期";

    public static readonly IReadOnlyDictionary<PartyOrganizationType, string> OrganizationTypes = new Dictionary<PartyOrganizationType, string>
    {
        [PartyOrganizationType.Committee] = "党委",
        [PartyOrganizationType.GeneralBranch] = "党总支",
        [PartyOrganizationType.Branch] = "党支部",
    };

    public static readonly IReadOnlyDictionary<AssignmentKind, string> AssignmentKinds = new Dictionary<AssignmentKind, string>
    {
        [AssignmentKind.CountyLeader] = "县级领导包抓",
        [AssignmentKind.TownshipLeader] = "乡镇包村领导",
        [AssignmentKind.FirstSecretary] = "第一书记",
        [AssignmentKind.PairedDepartment] = "结对帮扶单位",
        [AssignmentKind.WorkTeam] = "工作组",
        [AssignmentKind.PartyBuildingInstructor] = "党建指导员",
    };

    /// <summary>A village as its drop-down shows it.</summary>
    public static string VillageLabel(UnitRow village) => $"{village.Name}（{village.Code}）";

    public static WorkbookTemplate For(TemplateKind kind, IReadOnlyList<UnitRow> villages, int year) => kind switch
    {
        TemplateKind.Units => UnitsTemplate(),
        TemplateKind.VillageProfiles => ProfilesTemplate(villages, year),
        TemplateKind.Assignments => AssignmentsTemplate(villages, year),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static WorkbookTemplate UnitsTemplate() => new(TemplateKind.Units,
    [
        new TemplateSheet(Units,
        [
            new TemplateColumn(Code, CellKind.Code, Width: 18, Note: "12位统计用区划代码；已登记的单位按代码对应，名称不同即改名。", Example: "360731203210"),
            new TemplateColumn(Name, CellKind.Text, Width: 24, Note: "单位的全称。", Example: "禾坑村", MaxLength: UnitService.MaxNameLength),
            new TemplateColumn(ParentCode, CellKind.Code, Required: false, Width: 18, Note: "可不填：代码本身已含上级；填写时须与代码所指的上级一致。", Example: "360731203000"),
        ]),
    ],
    [
        "每行一个单位：代码不在系统中的新登记，代码已登记而名称不同的改名，完全相同的不变。",
        "上级单位须已登记，或在本文件中一并登记。只能登记本单位以下的单位。",
        "也可以导入CSV文件（代码,名称,上级代码；UTF-8或Excel保存的GBK编码均可，第一行可为表头）。",
    ]);

    private static TemplateColumn VillageColumn(IReadOnlyList<UnitRow> villages) =>
        new(Village, CellKind.Choice, Width: 30, Note: "从下拉列表选择本单位的村（名称后括号内为代码）。",
            Example: villages.Count > 0 ? VillageLabel(villages[0]) : "禾坑村（360731203210）", Choices: villages.Select(VillageLabel).ToList());

    private static TemplateColumn YearColumn(int year) =>
        new(Year, CellKind.Integer, Width: 8, Note: "四位年份。", Example: year.ToString());

    private static TemplateColumn Count(string header, string note, string example, bool required = true) =>
        new(header, CellKind.Integer, Required: required, Width: 10, Note: note, Example: example);

    private static WorkbookTemplate ProfilesTemplate(IReadOnlyList<UnitRow> villages, int year) => new(TemplateKind.VillageProfiles,
    [
        new TemplateSheet(Profiles,
        [
            VillageColumn(villages),
            YearColumn(year),
            new TemplateColumn(OrganizationType, CellKind.Choice, Width: 10, Note: "党委、党总支或党支部。", Example: "党支部", Choices: OrganizationTypes.Values.ToList()),
            new TemplateColumn(Secretary, CellKind.Text, Required: false, Width: 10, Note: "书记空缺时不填。", Example: "刘某某", MaxLength: 50),
            new TemplateColumn(SecretaryIsDirector, CellKind.YesNo, Width: 10, Note: "书记是否兼任村委会主任（“一肩挑”）。", Example: "是"),
            Count(CommitteeSize, "支部委员会职数。", "5"),
            Count(CommitteeVacancies, "缺配的委员数，不超过支委人数。", "1"),
            Count(Members, "党员总数。", "41"),
            Count(WomenMembers, "不超过党员人数。", "6"),
            Count(Age30OrUnder, "各年龄段人数之和不超过党员人数。", "3", required: false),
            Count(Age31To40, "", "5", required: false),
            Count(Age41To45, "", "4", required: false),
            Count(Age46To60, "", "14", required: false),
            Count(AgeOver60, "", "15", required: false),
            Count(Households, "", "420"),
            Count(Population, "不少于户数。", "1650"),
            Count(Income, "当年村集体经营性收入，单位元；亏损记0。", "52000"),
        ]),
    ],
    [
        "每行一个村一年的基本情况：同一村同一年已有数据的，以本表为准更新；完全相同的不变。",
        "村从下拉列表中选择，只能选本单位的村。",
    ]);

    private static WorkbookTemplate AssignmentsTemplate(IReadOnlyList<UnitRow> villages, int year) => new(TemplateKind.Assignments,
    [
        new TemplateSheet(Assignments,
        [
            VillageColumn(villages),
            YearColumn(year),
            new TemplateColumn(Kind, CellKind.Choice, Width: 14, Note: "县级领导包抓、乡镇包村领导、第一书记、结对帮扶单位、工作组或党建指导员。", Example: "第一书记", Choices: AssignmentKinds.Values.ToList()),
            new TemplateColumn(Assignee, CellKind.Text, Width: 20, Note: "帮扶人的姓名，或结对单位、工作组的名称。", Example: "张某某", MaxLength: 100),
            new TemplateColumn(Position, CellKind.Text, Required: false, Width: 24, Note: "职务或所在单位。", Example: "县委组织部干部", MaxLength: 100),
            new TemplateColumn(Phone, CellKind.Text, Required: false, Width: 14, Note: "数字、空格、+和-。", Example: "0797-1234567", MaxLength: 30),
            new TemplateColumn(AssignedOn, CellKind.Date, Required: false, Width: 12, Note: "派驻之日，在整顿年度的上一年初至当年末之间；不填为导入当天。", Example: $"{year}-03-01"),
        ]),
    ],
    [
        "每行一名帮扶人（或一个帮扶单位）：同一村、同一年度、同一类型、同一姓名的记录已存在时不重复添加。",
        "四不撤：导入只添加，不撤回任何已派驻的帮扶力量；本表中没有的已有记录保持不变。",
        "村从下拉列表中选择，只能选本单位以下的村。",
    ]);
}
