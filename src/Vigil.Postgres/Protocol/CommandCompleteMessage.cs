using System.Buffers;
using System.Globalization;

namespace Vigil.Postgres.Protocol;

/// <summary>CommandComplete ('C', §55.7): the command tag of a finished statement.</summary>
/// <param name="Tag">Tag text such as "SELECT 5", "INSERT 0 1" or "CREATE TABLE".</param>
public readonly record struct CommandCompleteMessage(string Tag)
{
    /// <summary>
    /// Row count: the last number of "INSERT oid rows", "UPDATE n", "DELETE n", "SELECT n", "MOVE n",
    /// "FETCH n", "COPY n" or "MERGE n"; <see langword="null"/> for other tags or malformed counts.
    /// </summary>
    public long? Rows
    {
        get
        {
            var parts = Tag.Split(' ');
            var expectedParts = parts[0] switch
            {
                "INSERT" => 3,
                "UPDATE" or "DELETE" or "SELECT" or "MOVE" or "FETCH" or "COPY" or "MERGE" => 2,
                _ => 0,
            };
            return parts.Length == expectedParts
                && long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
                ? rows
                : null;
        }
    }

    /// <summary>Parses a CommandComplete body: String tag. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing NUL terminator, trailing bytes, or invalid UTF-8.</exception>
    public static CommandCompleteMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var tag = BodyReader.ReadCString(ref reader, "CommandComplete", "tag");
        BodyReader.ExpectEnd(ref reader, "CommandComplete");
        return new CommandCompleteMessage(tag);
    }
}
