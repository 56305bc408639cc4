using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Rectify.Kernel;

namespace Rectify.Cli;

/// <summary>
/// The default output, for a person: key: value lines under the JSON field names (so --json reads the same), lists as
/// short tables, dates as YYYY-MM-DD, times in Shanghai, enum values by their short name. Fields left at their default
/// are not printed.
/// </summary>
public static class Readable
{
    private const int MaxTableColumns = 8;
    private const int MaxCell = 40;

    public static void Print(IMessage message, TextWriter output)
    {
        if (message.Descriptor.FullName == StringValue.Descriptor.FullName) { output.WriteLine(((StringValue)message).Value); return; }
        var lines = new StringBuilder();
        Block(message, 0, lines);
        output.Write(lines.Length == 0 ? "(nothing)" + Environment.NewLine : lines.ToString());
    }

    private static void Block(IMessage message, int indent, StringBuilder lines)
    {
        var pad = new string(' ', indent);
        foreach (var field in Present(message))
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated && field.FieldType == FieldType.Message && !IsLeaf(field.MessageType))
            {
                var items = ((System.Collections.IList)value).Cast<IMessage>().ToList();
                lines.AppendLine($"{pad}{field.JsonName} ({items.Count}):");
                Table(items, indent + 2, lines);
            }
            else if (field.IsMap)
                lines.AppendLine($"{pad}{field.JsonName}: {Leaf(field, value)}");
            else if (!field.IsRepeated && field.FieldType == FieldType.Message && !IsLeaf(field.MessageType))
            {
                lines.AppendLine($"{pad}{field.JsonName}:");
                Block((IMessage)value, indent + 2, lines);
            }
            else lines.AppendLine($"{pad}{field.JsonName}: {Leaf(field, value)}");
        }
    }

    /// <summary>A table when the rows' present columns are few; otherwise each row as its own block.</summary>
    private static void Table(List<IMessage> items, int indent, StringBuilder lines)
    {
        var pad = new string(' ', indent);
        var rows = items.Select(Flatten).ToList();
        var columns = rows.SelectMany(r => r.Keys).Distinct().ToList();
        if (columns.Count > MaxTableColumns)
        {
            for (var i = 0; i < items.Count; i++)
            {
                lines.AppendLine($"{pad}- [{i + 1}]");
                Block(items[i], indent + 4, lines);
            }
            return;
        }
        var cells = rows.Select(r => columns.Select(c => Clip(r.GetValueOrDefault(c, ""))).ToList()).ToList();
        var widths = columns.Select((c, i) => Math.Max(Width(c), cells.Count == 0 ? 0 : cells.Max(r => Width(r[i])))).ToList();
        lines.AppendLine(pad + string.Join("  ", columns.Select((c, i) => Pad(c, widths[i]))).TrimEnd());
        foreach (var row in cells) lines.AppendLine(pad + string.Join("  ", row.Select((c, i) => Pad(c, widths[i]))).TrimEnd());
    }

    /// <summary>A row: its leaf fields, and one level of nested messages as parent.child (deeper lists as a count).</summary>
    private static Dictionary<string, string> Flatten(IMessage message)
    {
        var row = new Dictionary<string, string>();
        foreach (var field in Present(message))
        {
            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.Message && !IsLeaf(field.MessageType) && !field.IsRepeated)
                foreach (var inner in Present((IMessage)value))
                {
                    var innerValue = inner.Accessor.GetValue((IMessage)value);
                    row[$"{field.JsonName}.{inner.JsonName}"] = inner.FieldType == FieldType.Message && !IsLeaf(inner.MessageType)
                        ? inner.IsRepeated ? $"[{((System.Collections.IList)innerValue).Count}]" : "…"
                        : Leaf(inner, innerValue);
                }
            else if (field.IsRepeated && field.FieldType == FieldType.Message && !IsLeaf(field.MessageType))
                row[field.JsonName] = $"[{((System.Collections.IList)value).Count}]";
            else row[field.JsonName] = Leaf(field, value);
        }
        return row;
    }

    private static IEnumerable<FieldDescriptor> Present(IMessage message) =>
        message.Descriptor.Fields.InFieldNumberOrder().Where(f =>
        {
            var value = f.Accessor.GetValue(message);
            return f.IsRepeated || f.IsMap ? ((System.Collections.ICollection)value).Count > 0
                : f.FieldType == FieldType.Message ? value is not null
                : f.HasPresence ? f.Accessor.HasValue(message)
                : !Equals(value, Default(f));
        });

    private static object? Default(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "",
        FieldType.Bytes => ByteString.Empty,
        FieldType.Bool => false,
        FieldType.Enum => 0,
        FieldType.Double => 0d,
        FieldType.Float => 0f,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt64 or FieldType.Fixed64 => 0UL,
        FieldType.UInt32 or FieldType.Fixed32 => 0U,
        _ => 0,
    };

    /// <summary>Messages printed as one value: dates, months, times and wrappers.</summary>
    private static bool IsLeaf(MessageDescriptor type) =>
        type.FullName is "rectify.common.v1.Date" or "rectify.common.v1.Period" or "google.protobuf.Timestamp" or "google.protobuf.Duration"
        || type.File.Name == "google/protobuf/wrappers.proto";

    private static string Leaf(FieldDescriptor field, object? value)
    {
        if (field.IsRepeated || field.IsMap)
            return string.Join(", ", ((System.Collections.IEnumerable)value!).Cast<object?>().Select(v => Scalar(field, v)));
        return Scalar(field, value);
    }

    private static string Scalar(FieldDescriptor field, object? value) => value switch
    {
        null => "",
        Common.V1.Date d => $"{d.Year:D4}-{d.Month:D2}-{d.Day:D2}",
        Common.V1.Period p => $"{p.Year:D4}-{p.Month:D2}",
        Timestamp t => TimeZoneInfo.ConvertTime(t.ToDateTimeOffset(), ShanghaiTime.Zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        ByteString b => $"{b.Length:N0} bytes",
        bool b => b ? "yes" : "no",
        double x => x.ToString("0.##", CultureInfo.InvariantCulture),
        IMessage m => m.ToString() ?? "",
        _ when field.FieldType == FieldType.Enum => EnumName(field.EnumType, Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>MEASURE_STATUS_IN_PROGRESS → in_progress.</summary>
    private static string EnumName(EnumDescriptor type, int number)
    {
        var name = type.FindValueByNumber(number)?.Name ?? number.ToString(CultureInfo.InvariantCulture);
        var prefix = string.Concat(type.Name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString())) + "_";
        return (name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name).ToLowerInvariant();
    }

    private static string Clip(string text)
    {
        text = text.ReplaceLineEndings(" ");
        if (Width(text) <= MaxCell) return text;
        var clipped = new StringBuilder();
        foreach (var c in text)
        {
            if (Width(clipped.ToString()) + Width(c.ToString()) > MaxCell - 1) break;
            clipped.Append(c);
        }
        return clipped + "…";
    }

    private static string Pad(string text, int width) => text + new string(' ', Math.Max(0, width - Width(text)));

    /// <summary>Columns a terminal gives the text: Chinese characters take two.</summary>
    private static int Width(string text) => text.Sum(c => c is >= '\u1100' and <= '\u115F' or >= '\u2E80' and <= '\uA4CF' or >= '\uAC00' and <= '\uD7A3'
        or >= '\uF900' and <= '\uFAFF' or >= '\uFE30' and <= '\uFE4F' or >= '\uFF00' and <= '\uFF60' or >= '\uFFE0' and <= '\uFFE6' ? 2 : 1);
}
