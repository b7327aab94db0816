using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>ParameterStatus ('S', backend, §55.7): the current value of a reported run-time parameter.</summary>
/// <param name="Name">Parameter name, e.g. "server_version".</param>
/// <param name="Value">Parameter value.</param>
public readonly record struct ParameterStatusMessage(string Name, string Value)
{
    /// <summary>Parses a ParameterStatus body: String name, String value. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing terminators, trailing bytes, or invalid UTF-8.</exception>
    public static ParameterStatusMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var name = BodyReader.ReadCString(ref reader, "ParameterStatus", "name");
        var value = BodyReader.ReadCString(ref reader, "ParameterStatus", "value");
        BodyReader.ExpectEnd(ref reader, "ParameterStatus");
        return new ParameterStatusMessage(name, value);
    }
}
