using System.Collections.Frozen;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// The client encodings the gateway refuses: PostgreSQL's client-only encodings whose multibyte characters can have a
/// second byte in the ASCII range, including <c>0x5C</c> (<c>\</c>) and other SQL punctuation (PostgreSQL docs §24.3.1
/// "Supported Character Sets", src/common/encnames.c). The server converts such text to its own encoding before
/// lexing, so a byte the gateway would read as a backslash can be half of a character to the server (the CVE-2006-2314
/// class). Every other PostgreSQL encoding keeps each ASCII byte an ASCII character.
/// </summary>
public static class PgClientEncodings
{
    /// <summary>Aliases (as PostgreSQL normalizes them: lower case, only letters and digits) → canonical name.</summary>
    private static readonly FrozenDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sjis"] = "SJIS", ["shiftjis"] = "SJIS", ["mskanji"] = "SJIS", ["win932"] = "SJIS", ["windows932"] = "SJIS",
        ["shiftjis2004"] = "SHIFT_JIS_2004",
        ["big5"] = "BIG5", ["win950"] = "BIG5", ["windows950"] = "BIG5",
        ["gbk"] = "GBK", ["win936"] = "GBK", ["windows936"] = "GBK",
        ["gb18030"] = "GB18030",
        ["johab"] = "JOHAB",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The canonical names of the refused encodings, for messages and documentation.</summary>
    public static IReadOnlyCollection<string> RefusedNames { get; } = Refused.Values.Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The canonical name when <paramref name="encoding"/> (any spelling PostgreSQL accepts, e.g. <c>Shift-JIS</c>,
    /// <c>win932</c>) is a refused encoding; null otherwise (also for null).</summary>
    public static string? Unsafe(string? encoding)
    {
        if (string.IsNullOrWhiteSpace(encoding) || encoding.Length > 64)
        {
            return null;
        }

        // pg_char_to_encoding compares names with everything but letters and digits removed, ignoring case.
        Span<char> clean = stackalloc char[encoding.Length];
        var length = 0;
        foreach (var c in encoding)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                clean[length++] = char.ToLowerInvariant(c);
            }
        }

        return Refused.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(clean[..length], out var name) ? name : null;
    }
}
