using System.Text;

namespace Rectify.Tests.SqlServer;

/// <summary>A string literal found in C# source: its text with each interpolation hole kept as written between braces.</summary>
public sealed record CSharpString(string File, int Line, IReadOnlyList<CSharpString.Part> Parts)
{
    /// <summary>Literal text, or a hole's expression (Hole = true).</summary>
    public sealed record Part(string Text, bool Hole);

    public string Shown => string.Concat(Parts.Select(p => p.Hole ? "{" + p.Text + "}" : p.Text));
}

/// <summary>
/// A small C# lexer that finds every string literal (regular, verbatim, interpolated, raw and interpolated raw) and
/// skips comments and character literals, so the SQL handed to Dapper can be read without compiling the code.
/// </summary>
public static class CSharpStrings
{
    public static List<CSharpString> Read(string file, string source)
    {
        var found = new List<CSharpString>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '/' && At(source, i + 1) == '/') { i = source.IndexOf('\n', i) is var n and >= 0 ? n : source.Length; continue; }
            if (c == '/' && At(source, i + 1) == '*') { i = source.IndexOf("*/", i + 2, StringComparison.Ordinal) + 2; continue; }
            if (c == '\'') { i = SkipChar(source, i); continue; }
            if (c is '"' or '$' or '@' && StartsString(source, i))
            {
                var line = 1 + source.AsSpan(0, i).Count('\n');
                var (parts, end) = Lex(source, i);
                found.Add(new CSharpString(file, line, parts));
                i = end;
                continue;
            }
            i++;
        }
        return found;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool StartsString(string s, int i)
    {
        // An identifier like @"…" or $"…" only when the prefix is followed by a quote (after more $ or @).
        var j = i;
        while (At(s, j) is '$' or '@') j++;
        return At(s, j) == '"' && (j == i || !char.IsLetterOrDigit(At(s, i - 1)));
    }

    private static int SkipChar(string s, int i)
    {
        i++;
        while (s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
        return i + 1;
    }

    /// <summary>Lexes the literal starting at <paramref name="i"/>; returns its parts and the index after it.</summary>
    public static (List<CSharpString.Part> Parts, int End) Lex(string s, int i)
    {
        var dollars = 0;
        var verbatim = false;
        while (s[i] is '$' or '@') { if (s[i] == '$') dollars++; else verbatim = true; i++; }
        var quotes = 0;
        while (At(s, i + quotes) == '"') quotes++;
        var raw = quotes >= 3;
        if (!raw) quotes = 1;
        if (quotes == 2) return ([], i + 2); // ""
        i += quotes;
        var parts = new List<CSharpString.Part>();
        var text = new StringBuilder();
        var braces = Math.Max(dollars, 1); // raw: $$ means holes open with {{; regular: one brace
        while (true)
        {
            if (raw && string.CompareOrdinal(s, i, new string('"', quotes), 0, quotes) == 0) { i += quotes; break; }
            var c = s[i];
            if (!raw && c == '"')
            {
                if (verbatim && At(s, i + 1) == '"') { text.Append('"'); i += 2; continue; }
                i++;
                break;
            }
            if (!raw && !verbatim && c == '\\')
            {
                text.Append(s[i + 1] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', var e => e });
                i += 2;
                continue;
            }
            if (dollars > 0 && c == '{')
            {
                var run = 0;
                while (At(s, i + run) == '{') run++;
                if (!raw && run >= 2) { text.Append('{'); i += 2; continue; } // {{ in $"…" is a brace
                if (run >= braces)
                {
                    text.Append('{', run - braces);
                    i += run;
                    var start = i;
                    i = HoleEnd(s, i);
                    if (text.Length > 0) { parts.Add(new(text.ToString(), false)); text.Clear(); }
                    parts.Add(new(HoleExpression(s[start..i]), true));
                    i += braces;
                    continue;
                }
            }
            if (dollars > 0 && !raw && c == '}' && At(s, i + 1) == '}') { text.Append('}'); i += 2; continue; }
            text.Append(c);
            i++;
        }
        if (text.Length > 0) parts.Add(new(text.ToString(), false));
        return (parts, i);
    }

    /// <summary>The index of the brace closing a hole, skipping nested braces and string literals inside it.</summary>
    private static int HoleEnd(string s, int i)
    {
        var depth = 0;
        while (true)
        {
            var c = s[i];
            if (c is '"' or '$' or '@' && StartsString(s, i)) { i = Lex(s, i).End; continue; }
            if (c == '\'') { i = SkipChar(s, i); continue; }
            if (c == '{') depth++;
            else if (c == '}') { if (depth == 0) return i; depth--; }
            i++;
        }
    }

    /// <summary>A hole without its format or alignment (e.g. {x:0.00}); a colon inside ?: or a string stays.</summary>
    private static string HoleExpression(string hole) => hole.Trim();
}
