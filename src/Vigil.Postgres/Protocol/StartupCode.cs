namespace Vigil.Postgres.Protocol;

/// <summary>
/// The Int32 request codes that follow the length of an untyped startup packet
/// (PostgreSQL 15 docs §55.2.1 and §55.7: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest).
/// </summary>
public static class StartupCode
{
    /// <summary>Protocol version 3.0 as sent in a StartupMessage: major 3 in the high 16 bits, minor 0 in the low 16 bits (196608).</summary>
    public const int ProtocolVersion3 = 3 << 16;

    /// <summary>SSLRequest code 80877103 (1234 in the high 16 bits, 5679 in the low 16 bits).</summary>
    public const int SslRequest = 80877103;

    /// <summary>GSSENCRequest code 80877104 (1234 in the high 16 bits, 5680 in the low 16 bits).</summary>
    public const int GssEncRequest = 80877104;

    /// <summary>CancelRequest code 80877102 (1234 in the high 16 bits, 5678 in the low 16 bits).</summary>
    public const int CancelRequest = 80877102;
}
