using System.Collections;
using System.Globalization;
using System.Text;

namespace Vigil.Adapters.Exec;

/// <summary>
/// Renders a result set as psql's default "aligned" format: centred headers, <c>-+-</c> rule, numbers right-aligned,
/// text left-aligned, NULL as empty, then "(N rows)". Values use PostgreSQL's text output forms (t/f, ISO dates, \x bytea).
/// </summary>
public static class ResultTable
{
    /// <summary>Appends the table for <paramref name="columns"/> and <paramref name="rows"/> to <paramref name="output"/>.</summary>
    public static void Render(StringBuilder output, IReadOnlyList<string> columns, IReadOnlyList<bool> numeric, IReadOnlyList<string?[]> rows)
    {
        var widths = columns.Select(c => c.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i]?.Length ?? 0);
            }
        }
        for (var i = 0; i < columns.Count; i++)
        {
            var pad = widths[i] - columns[i].Length;
            output.Append(i == 0 ? " " : " | ").Append(' ', pad / 2).Append(columns[i]).Append(' ', pad - pad / 2);
        }
        output.Append(" \n");
        output.AppendJoin("+", widths.Select(w => new string('-', w + 2))).Append('\n');
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                var value = row[i] ?? "";
                output.Append(i == 0 ? " " : " | ");
                if (numeric[i])
                {
                    output.Append(value.PadLeft(widths[i]));
                }
                else if (i < row.Length - 1)
                {
                    output.Append(value.PadRight(widths[i]));
                }
                else
                {
                    output.Append(value);
                }
            }
            output.Append('\n');
        }
        output.Append(rows.Count == 1 ? "(1 row)\n" : $"({rows.Count} rows)\n");
    }

    /// <summary>The PostgreSQL text form of a value Npgsql read; null for SQL NULL.</summary>
    public static string? Text(object? value) => value switch
    {
        null or DBNull => null,
        bool b => b ? "t" : "f",
        DateTime d when d.TimeOfDay == TimeSpan.Zero && d.Kind == DateTimeKind.Unspecified => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTime d => d.ToString(d.Kind == DateTimeKind.Utc ? "yyyy-MM-dd HH:mm:ss.FFFFFF'+00'" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        byte[] bytes => "\\x" + Convert.ToHexStringLower(bytes),
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "{" + string.Join(",", items.Cast<object?>().Select(i => Text(i) ?? "NULL")) + "}",
        _ => value.ToString(),
    };

    /// <summary>True for CLR types psql right-aligns (numbers).</summary>
    public static bool IsNumeric(Type type) =>
        Type.GetTypeCode(type) is TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32
            or TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Single or TypeCode.Double or TypeCode.Decimal;
}
