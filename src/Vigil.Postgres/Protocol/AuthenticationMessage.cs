using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Authentication* ('R', §55.7; exchange in §55.3 Authentication): Int32 request type followed by a
/// type-specific payload. <see cref="Payload"/> slices the input buffer and is only valid while it is.
/// </summary>
/// <param name="Type">Request type, e.g. <see cref="Ok"/> or <see cref="Sasl"/>.</param>
/// <param name="Payload">Bytes after the type field.</param>
public readonly record struct AuthenticationMessage(int Type, ReadOnlySequence<byte> Payload)
{
    /// <summary>0 AuthenticationOk (empty payload).</summary>
    public const int Ok = 0;

    /// <summary>2 AuthenticationKerberosV5 (unsupported since PostgreSQL 9.4).</summary>
    public const int KerberosV5 = 2;

    /// <summary>3 AuthenticationCleartextPassword (empty payload).</summary>
    public const int CleartextPassword = 3;

    /// <summary>5 AuthenticationMD5Password (payload: 4-byte salt).</summary>
    public const int MD5Password = 5;

    /// <summary>7 AuthenticationGSS.</summary>
    public const int Gss = 7;

    /// <summary>8 AuthenticationGSSContinue (payload: GSSAPI or SSPI data).</summary>
    public const int GssContinue = 8;

    /// <summary>9 AuthenticationSSPI.</summary>
    public const int Sspi = 9;

    /// <summary>10 AuthenticationSASL (payload: NUL-terminated mechanism names, then an empty name).</summary>
    public const int Sasl = 10;

    /// <summary>11 AuthenticationSASLContinue (payload: SASL data, e.g. SCRAM server-first-message).</summary>
    public const int SaslContinue = 11;

    /// <summary>12 AuthenticationSASLFinal (payload: SASL outcome data, e.g. SCRAM server-final-message).</summary>
    public const int SaslFinal = 12;

    /// <summary>Parses an Authentication body: Int32 type, then the payload (not validated here).</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Body shorter than 4 bytes.</exception>
    public static AuthenticationMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var type = BodyReader.ReadInt32(ref reader, "Authentication", "request type");
        return new AuthenticationMessage(type, reader.UnreadSequence);
    }

    /// <summary>Returns the 4-byte salt of an AuthenticationMD5Password request.</summary>
    /// <returns>A new 4-byte array.</returns>
    /// <exception cref="PostgresProtocolException">Type is not <see cref="MD5Password"/> or the payload is not 4 bytes.</exception>
    public byte[] GetMd5Salt()
    {
        if (Type != MD5Password || Payload.Length != 4)
        {
            throw new PostgresProtocolException(
                $"invalid AuthenticationMD5Password message: type {Type}, {Payload.Length} payload bytes (expected type 5, 4 bytes)");
        }

        return Payload.ToArray();
    }

    /// <summary>Returns the mechanism names of an AuthenticationSASL request, in server order.</summary>
    /// <returns>Mechanism names such as "SCRAM-SHA-256" and "SCRAM-SHA-256-PLUS".</returns>
    /// <exception cref="PostgresProtocolException">Type is not <see cref="Sasl"/>, or the list is malformed or not terminated as the last byte.</exception>
    public IReadOnlyList<string> GetSaslMechanisms()
    {
        if (Type != Sasl)
        {
            throw new PostgresProtocolException($"invalid AuthenticationSASL message: type {Type} (expected 10)");
        }

        var reader = new SequenceReader<byte>(Payload);
        var mechanisms = new List<string>();
        while (true)
        {
            var name = BodyReader.ReadCString(ref reader, "AuthenticationSASL", "mechanism name");
            if (name.Length == 0)
            {
                BodyReader.ExpectEnd(ref reader, "AuthenticationSASL");
                return mechanisms;
            }

            mechanisms.Add(name);
        }
    }
}
