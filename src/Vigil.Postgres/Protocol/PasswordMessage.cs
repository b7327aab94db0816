using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// PasswordMessage ('p', §55.7) in reply to AuthenticationCleartextPassword or AuthenticationMD5Password.
/// (SASL and GSS responses share the type byte but have a different body.)
/// </summary>
/// <param name="Password">Cleartext password, or "md5" + 32 hex digits for MD5.</param>
public readonly record struct PasswordMessage(string Password)
{
    /// <summary>Parses a PasswordMessage body: String password. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing NUL terminator, trailing bytes, or invalid UTF-8.</exception>
    public static PasswordMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var password = BodyReader.ReadCString(ref reader, "PasswordMessage", "password");
        BodyReader.ExpectEnd(ref reader, "PasswordMessage");
        return new PasswordMessage(password);
    }

    /// <inheritdoc />
    public override string ToString() => "PasswordMessage { Password = *** }";
}
