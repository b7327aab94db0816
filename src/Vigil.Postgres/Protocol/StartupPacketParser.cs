using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>Decodes the payload of a complete startup packet (§55.7 StartupMessage and friends).</summary>
internal static class StartupPacketParser
{
    private const string Packet = "startup packet";

    public static StartupRequest Parse(ref SequenceReader<byte> payload, int length)
    {
        var code = BodyReader.ReadInt32(ref payload, Packet, "request code");
        switch (code)
        {
            case StartupCode.SslRequest:
                ExpectLength(length, 8, "SSLRequest");
                return new SslRequest();
            case StartupCode.GssEncRequest:
                ExpectLength(length, 8, "GSSENCRequest");
                return new GssEncRequest();
            case StartupCode.CancelRequest:
                ExpectLength(length, 16, "CancelRequest");
                var pid = BodyReader.ReadInt32(ref payload, Packet, "process id");
                var key = BodyReader.ReadInt32(ref payload, Packet, "secret key");
                return new CancelRequest(pid, key);
        }

        var major = (int)((uint)code >> 16);
        var minor = code & 0xFFFF;
        if (major != 3)
        {
            throw new PostgresProtocolException(
                $"unsupported frontend protocol {major}.{minor}: server supports 3.0",
                PostgresSqlState.FeatureNotSupported);
        }

        var parameters = ReadParameters(ref payload);
        if (!parameters.TryGetValue("user", out var user) || user.Length == 0)
        {
            throw new PostgresProtocolException(
                "no PostgreSQL user name specified in startup packet",
                PostgresSqlState.InvalidAuthorizationSpecification);
        }

        return new StartupMessage(major, minor, parameters);
    }

    private static Dictionary<string, string> ReadParameters(ref SequenceReader<byte> payload)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var name = BodyReader.ReadCString(ref payload, Packet, "parameter name");
            if (name.Length == 0)
            {
                if (!payload.End)
                {
                    throw new PostgresProtocolException(
                        "invalid startup packet layout: expected terminator as last byte");
                }

                return parameters;
            }

            var value = BodyReader.ReadCString(ref payload, Packet, $"value of parameter \"{name}\"");
            if (!parameters.TryAdd(name, value))
            {
                throw new PostgresProtocolException($"invalid startup packet: duplicate parameter \"{name}\"");
            }
        }
    }

    private static void ExpectLength(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new PostgresProtocolException(
                $"invalid length of {what} packet: {actual} (expected {expected})");
        }
    }
}
