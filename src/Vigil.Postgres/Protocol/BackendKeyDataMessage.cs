using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>BackendKeyData ('K', §55.7): identifies the session for a later CancelRequest.</summary>
/// <param name="ProcessId">Backend process id.</param>
/// <param name="SecretKey">4-byte secret key (protocol 3.0).</param>
public readonly record struct BackendKeyDataMessage(int ProcessId, int SecretKey)
{
    /// <summary>
    /// Parses a BackendKeyData body: Int32 process id, Int32 secret key — exactly 8 bytes (the longer keys
    /// of protocol 3.2 are rejected, since this library negotiates 3.0).
    /// </summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Body not exactly 8 bytes.</exception>
    public static BackendKeyDataMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var pid = BodyReader.ReadInt32(ref reader, "BackendKeyData", "process id");
        var key = BodyReader.ReadInt32(ref reader, "BackendKeyData", "secret key");
        BodyReader.ExpectEnd(ref reader, "BackendKeyData");
        return new BackendKeyDataMessage(pid, key);
    }

    /// <inheritdoc />
    public override string ToString() => $"BackendKeyDataMessage {{ ProcessId = {ProcessId}, SecretKey = *** }}";
}
