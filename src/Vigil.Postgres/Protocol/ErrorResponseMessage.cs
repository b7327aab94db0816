using System.Buffers;

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
    /// Parses an ErrorResponse or NoticeResponse body. A repeated field type keeps the last value
    /// (PostgreSQL never repeats one). Bytes after the terminating zero are rejected.
    /// </summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing terminators, trailing bytes, or invalid UTF-8.</exception>
    public static ErrorResponseMessage Parse(ReadOnlySequence<byte> body)
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

            fields[(char)type] = BodyReader.ReadCString(ref reader, Name, $"field '{(char)type}'");
        }
    }

    private string? Get(char type) => Fields.TryGetValue(type, out var value) ? value : null;
}
