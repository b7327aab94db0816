namespace Vigil.Postgres.Copy;

/// <summary>The textual formats of COPY (PostgreSQL 15 docs, COPY, "File Formats").</summary>
public enum CopyFormat
{
    /// <summary>FORMAT text: delimiter-separated, backslash escapes, <c>\N</c> for NULL.</summary>
    Text,

    /// <summary>FORMAT csv: delimiter-separated, quoted fields (quotes doubled, newlines allowed inside), unquoted empty field for NULL.</summary>
    Csv,
}

/// <summary>
/// The options of a <c>COPY … TO STDOUT</c> that decide how its CopyData splits into rows and fields. Which format and
/// options a COPY uses is not on the wire (CopyOutResponse only says "textual"): they come from the statement
/// (<see cref="FromStatement"/>). HEADER needs nothing here (the header line is a row of column names);
/// FORCE_QUOTE only changes how PostgreSQL quotes, not how rows are read (rows the masker re-encodes use minimal
/// quoting); ENCODING is the session's client_encoding unless the statement names another.
/// </summary>
/// <param name="Format">Text or CSV.</param>
/// <param name="Delimiter">One single-byte character: tab for text, comma for CSV by default.</param>
/// <param name="Quote">CSV quote character, '"' by default (unused for text).</param>
/// <param name="Escape">CSV escape character inside quotes, the quote character by default (unused for text).</param>
/// <param name="Null">The NULL marker: <c>\N</c> for text, the empty unquoted string for CSV by default.</param>
public sealed record CopyOptions(CopyFormat Format, byte Delimiter, byte Quote, byte Escape, string Null)
{
    /// <summary>COPY's defaults for FORMAT text.</summary>
    public static CopyOptions Text { get; } = new(CopyFormat.Text, (byte)'\t', (byte)'"', (byte)'"', "\\N");

    /// <summary>COPY's defaults for FORMAT csv.</summary>
    public static CopyOptions Csv { get; } = new(CopyFormat.Csv, (byte)',', (byte)'"', (byte)'"', "");

    /// <summary>The ENCODING option's value (a PostgreSQL encoding name), or <see langword="null"/> for client_encoding.</summary>
    public string? EncodingName { get; init; }

    /// <summary>
    /// Interprets the options of a COPY statement, as the caller's SQL lexer extracted them: the parenthesized list
    /// (<c>WITH (FORMAT csv, DELIMITER ';', NULL 'NA')</c>) as name/value pairs, the pre-9.0 keywords mapped to the same
    /// names (<c>CSV</c> → ("format", "csv"), <c>BINARY</c> → ("format", "binary"), <c>DELIMITER [AS] ';'</c> →
    /// ("delimiter", ";"), <c>HEADER</c> → ("header", null), <c>FORCE QUOTE …</c> → ("force_quote", null)). Names are
    /// case-insensitive; values are the literal's text (quotes removed). Options that do not change how rows split
    /// (header, force_quote, force_not_null, force_null, freeze, on_error) are accepted and ignored.
    /// </summary>
    /// <param name="options">The statement's options, in order (a later one wins, as PostgreSQL rejects duplicates anyway).</param>
    /// <returns>The options; <see langword="null"/> for FORMAT binary (whose data is not text).</returns>
    /// <exception cref="ArgumentException">
    /// An unknown option or format, or a delimiter, quote or escape that is not exactly one single-byte character, the
    /// same message PostgreSQL would refuse the statement with.
    /// </exception>
    public static CopyOptions? FromStatement(IEnumerable<KeyValuePair<string, string?>> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string format = "text";
        string? delimiter = null, quote = null, escape = null, nullMarker = null, encoding = null;
        foreach (var (name, value) in options)
        {
            switch (name.ToLowerInvariant())
            {
                case "format": format = (value ?? "").ToLowerInvariant(); break;
                case "delimiter": delimiter = value; break;
                case "quote": quote = value; break;
                case "escape": escape = value; break;
                case "null": nullMarker = value; break;
                case "encoding": encoding = value; break;
                case "header" or "force_quote" or "force_not_null" or "force_null" or "freeze" or "on_error" or "default":
                    break;
                default: throw new ArgumentException($"option \"{name}\" not recognized", nameof(options));
            }
        }

        var defaults = format switch
        {
            "text" => Text,
            "csv" => Csv,
            "binary" => null,
            _ => throw new ArgumentException($"COPY format \"{format}\" not recognized", nameof(options)),
        };
        if (defaults is null)
        {
            return null;
        }

        return new CopyOptions(
            defaults.Format,
            delimiter is null ? defaults.Delimiter : SingleByte(delimiter, "delimiter"),
            quote is null ? defaults.Quote : SingleByte(quote, "quote"),
            escape is null ? (quote is null ? defaults.Escape : SingleByte(quote, "quote")) : SingleByte(escape, "escape"),
            nullMarker ?? defaults.Null)
        {
            EncodingName = encoding,
        };
    }

    private static byte SingleByte(string value, string option) =>
        value.Length == 1 && value[0] < 0x80 && value[0] is not ('\r' or '\n')
            ? (byte)value[0]
            : throw new ArgumentException($"COPY {option} must be a single one-byte character", nameof(value));
}
