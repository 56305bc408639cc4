using Rectify.Kernel;
using System.Text;
using Rectify.Platform;

namespace Rectify.Notifications.Delivery;

/// <summary>
/// Occurrences that come by the dozen on one day (a plan entered late, a county's deadlines at the month's end) go to a
/// contact as one message per unit, kind and day: a count and a list, 「今日新增逾期措施 5 项：…」. Each one is still filed
/// in the inbox on its own. A message of one is sent as it is.
/// </summary>
public static class Bundles
{
    private static readonly Dictionary<string, (string Tag, string Heading)> ByKind = new(StringComparer.Ordinal)
    {
        ["measure-due-soon"] = ("整改提醒", "今日整改措施到期提醒"),
        ["measure-overdue"] = ("逾期提醒", "今日新增逾期措施"),
        ["measure-escalated"] = ("逾期升级", "今日新增逾期升级督办措施"),
        ["look-back-due-soon"] = ("回头看提醒", "今日回头看到期提醒"),
        ["look-back-overdue"] = ("回头看逾期", "今日回头看逾期"),
    };

    /// <summary>The kinds sent in bundles.</summary>
    public static IReadOnlyCollection<string> Kinds => ByKind.Keys;

    public static bool Includes(string kind) => ByKind.ContainsKey(kind);

    /// <summary>A robot takes at most 2,048 bytes of text (WeCom's limit, the smaller); the list stops short of it.</summary>
    public const int MaxTextBytes = 2000;

    /// <summary>The bundle's group: its contact, kind, unit and the Shanghai day its notifications were filed.</summary>
    public static string GroupOf(OutgoingRow row) =>
        $"{row.ContactId}|{row.Kind}|{row.UnitCode}|{DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)), ShanghaiTime.Zone).DateTime):yyyyMMdd}";

    public static string Title(string kind, int count) => $"{ByKind[kind].Heading} {count} 项";

    /// <summary>「【逾期提醒】今日新增逾期措施 5 项：」 and one numbered line each, as many as fit, then how many more.</summary>
    public static string Text(string kind, IReadOnlyList<OutgoingRow> rows)
    {
        var (tag, heading) = ByKind[kind];
        var text = new StringBuilder($"【{tag}】{heading} {rows.Count} 项：");
        for (var i = 0; i < rows.Count; i++)
        {
            var line = $"\n{i + 1}. {rows[i].Line ?? rows[i].Title}";
            var rest = $"\n……另有 {rows.Count - i} 项，详见系统收件箱。";
            if (Encoding.UTF8.GetByteCount(text.ToString()) + Encoding.UTF8.GetByteCount(line) + Encoding.UTF8.GetByteCount(rest) > MaxTextBytes)
                return text.Append(rest).ToString();
            text.Append(line);
        }
        return text.Append("\n详见系统收件箱。").ToString();
    }
}
