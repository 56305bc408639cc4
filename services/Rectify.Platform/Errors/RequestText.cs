using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Rectify.Platform.Errors;

/// <summary>
/// Checks that hold for every string of every request, whatever the RPC: no NUL character (U+0000). No field means
/// one, PostgreSQL refuses to store it (an Internal error before), and SQLite would cut the text at it. Field rules
/// (other control characters, lengths) stay with each RPC's validation (Violations.Text).
/// </summary>
public static class RequestText
{
    /// <summary>Throws InvalidArgument naming the field path ("villages[2].note") of the first string holding U+0000.</summary>
    public static void Check(object? request, string prefix = "")
    {
        if (request is IMessage message && FirstNul(message, prefix) is { } field)
            throw ValidationException.For(field, "must not contain the NUL character (U+0000)");
    }

    private static string? FirstNul(IMessage message, string prefix)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType is not (FieldType.String or FieldType.Message)) continue;
            var value = field.Accessor.GetValue(message);
            var path = prefix + field.Name;
            if (field.IsMap)
            {
                foreach (System.Collections.DictionaryEntry entry in (System.Collections.IDictionary)value)
                    if ((Nul(entry.Key, $"{path}[key]") ?? Nul(entry.Value, $"{path}[{entry.Key}]")) is { } found) return found;
            }
            else if (field.IsRepeated)
            {
                var index = 0;
                foreach (var item in (System.Collections.IEnumerable)value)
                    if (Nul(item, $"{path}[{index++}]") is { } found) return found;
            }
            else if (Nul(value, path) is { } found) return found;
        }
        return null;
    }

    private static string? Nul(object? value, string path) => value switch
    {
        string text => text.Contains('\0') ? path : null,
        IMessage inner => FirstNul(inner, path + "."),
        _ => null,
    };

    /// <summary>A client stream whose messages are checked as they are read (paths within the message, as for unreadable text).</summary>
    public sealed class CheckedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken)) return false;
            Check(inner.Current);
            return true;
        }
    }
}
