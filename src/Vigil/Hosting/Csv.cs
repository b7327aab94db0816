using System.Text;

namespace Vigil.Hosting;

/// <summary>
/// CSV as RFC 4180 writes it: CRLF line ends, a field quoted when it holds a comma, a double quote, CR or LF, and
/// quotes inside a quoted field doubled. Null is the empty field. Values are written as they are: nothing is prefixed
/// to defuse spreadsheet formulas (<c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>).
/// </summary>
public static class Csv
{
    /// <summary>The record separator.</summary>
    public const string LineEnd = "\r\n";

    /// <summary><paramref name="field"/> as one CSV field.</summary>
    public static string Quote(string? field) =>
        field is null ? "" : field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    /// <summary>Appends one record (the fields, then <see cref="LineEnd"/>) to <paramref name="csv"/>.</summary>
    public static StringBuilder AppendRow(StringBuilder csv, params ReadOnlySpan<string?> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }
            csv.Append(Quote(fields[i]));
        }
        return csv.Append(LineEnd);
    }

    /// <summary>One record with its <see cref="LineEnd"/>.</summary>
    public static string Row(params ReadOnlySpan<string?> fields) => AppendRow(new StringBuilder(), fields).ToString();
}
