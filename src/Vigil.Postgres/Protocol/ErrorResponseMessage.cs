using System.Buffers;
using System.Text;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// ErrorResponse ('E') or NoticeResponse ('N') body (§55.7, fields per §55.8): a list of
/// (Byte1 field type, String value) pairs terminated by a zero byte.
/// </summary>
/// <param name="Fields">Field values by type character, e.g. 'S', 'V', 'C', 'M', 'D', 'H'.</param>
public sealed record ErrorResponseMessage(IReadOnlyDictionary<char, string> Fields)
{
    /// <summary>Non-localized severity ('V'), falling back to 'S'; empty if neither is present.</summary>
    public string Severity => Get('V') ?? Get('S') ?? string.Empty;

    /// <summary>SQLSTATE ('C'); empty if absent.</summary>
    public string SqlState => Get('C') ?? string.Empty;

    /// <summary>Primary message ('M'); empty if absent.</summary>
    public string Message => Get('M') ?? string.Empty;

    /// <summary>Detail ('D'), or <see langword="null"/>.</summary>
    public string? Detail => Get('D');

    /// <summary>Hint ('H'), or <see langword="null"/>.</summary>
    public string? Hint => Get('H');

    /// <summary>
    /// The field types whose text can quote data values, which a masker must scan: 'M' message (<c>invalid input syntax
    /// for type integer: "…"</c>), 'D' detail (<c>Key (email)=(…) already exists</c>, <c>Failing row contains (…)</c>),
    /// 'H' hint, 'W' where (context lines quote SQL statements and function arguments), 'q' internal query. The
    /// others are severities, SQLSTATE, positions, source locations and object names (schema 's', table 't', column
    /// 'c', data type 'd', constraint 'n'), which name the schema rather than quote the data.
    /// </summary>
    public static ReadOnlySpan<char> ValueFieldTypes => "MDHWq";

    /// <summary>
    /// Parses an ErrorResponse or NoticeResponse body. A repeated field type keeps the last value
    /// (PostgreSQL never repeats one). Bytes after the terminating zero are rejected.
    /// </summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing terminators, trailing bytes, or invalid UTF-8.</exception>
    public static ErrorResponseMessage Parse(ReadOnlySequence<byte> body) => Parse(body, null);

    /// <summary>Parses an ErrorResponse or NoticeResponse body whose text is in the session's client_encoding.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <param name="encoding">
    /// The session's encoding, which applies its own fallback to invalid bytes (<see cref="Encoding.UTF8"/> substitutes
    /// U+FFFD); <see langword="null"/> for strict UTF-8.
    /// </param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing terminators, trailing bytes, or (strict UTF-8) invalid UTF-8.</exception>
    public static ErrorResponseMessage Parse(ReadOnlySequence<byte> body, Encoding? encoding)
    {
        const string Name = "ErrorResponse";
        var reader = new SequenceReader<byte>(body);
        var fields = new Dictionary<char, string>();
        while (true)
        {
            var type = BodyReader.ReadByte(ref reader, Name, "field type");
            if (type == 0)
            {
                BodyReader.ExpectEnd(ref reader, Name);
                return new ErrorResponseMessage(fields);
            }

            fields[(char)type] = encoding is null
                ? BodyReader.ReadCString(ref reader, Name, $"field '{(char)type}'")
                : BodyReader.ReadCString(ref reader, Name, $"field '{(char)type}'", encoding);
        }
    }

    /// <summary>
    /// A copy with some fields' values replaced (e.g. masked 'M', 'D', 'W'), keeping every field's position; a
    /// replacement for a field the message does not have is appended.
    /// </summary>
    /// <param name="replacements">New values by field type.</param>
    /// <returns>The new message; write it with <see cref="BackendMessageWriter.WriteErrorOrNotice"/>.</returns>
    public ErrorResponseMessage With(IReadOnlyDictionary<char, string> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var fields = new Dictionary<char, string>(Fields.Count + replacements.Count);
        foreach (var (type, value) in Fields)
        {
            fields[type] = replacements.TryGetValue(type, out var replaced) ? replaced : value;
        }

        foreach (var (type, value) in replacements)
        {
            fields.TryAdd(type, value);
        }

        return new ErrorResponseMessage(fields);
    }

    private string? Get(char type) => Fields.TryGetValue(type, out var value) ? value : null;
}
