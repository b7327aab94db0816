namespace Vigil.Postgres.Protocol;

/// <summary>
/// Raised for malformed, truncated, oversized or unsupported PostgreSQL wire input, and for failed
/// SCRAM verification. It is the only exception type the parsers in this library throw for bad
/// input; after it is thrown the connection's framing is unreliable and the connection should be
/// closed (after sending an ErrorResponse carrying <see cref="SqlState"/>, where appropriate).
/// </summary>
public sealed class PostgresProtocolException : Exception
{
    /// <summary>Creates an exception with SQLSTATE 08P01 and a generic message.</summary>
    public PostgresProtocolException()
        : this("invalid frontend message")
    {
    }

    /// <summary>Creates an exception with SQLSTATE 08P01 (protocol_violation).</summary>
    /// <param name="message">Human-readable description of the violation.</param>
    public PostgresProtocolException(string message)
        : this(message, PostgresSqlState.ProtocolViolation)
    {
    }

    /// <summary>Creates an exception with SQLSTATE 08P01 (protocol_violation) wrapping a cause.</summary>
    /// <param name="message">Human-readable description of the violation.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PostgresProtocolException(string message, Exception innerException)
        : this(message, PostgresSqlState.ProtocolViolation, innerException)
    {
    }

    /// <summary>Creates an exception with an explicit SQLSTATE.</summary>
    /// <param name="message">Human-readable description of the violation.</param>
    /// <param name="sqlState">Five-character SQLSTATE, e.g. <see cref="PostgresSqlState.FeatureNotSupported"/>.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PostgresProtocolException(string message, string sqlState, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(sqlState);
        SqlState = sqlState;
    }

    /// <summary>Five-character SQLSTATE to report to the peer; "08P01" (protocol_violation) by default.</summary>
    public string SqlState { get; }
}
