namespace Vigil.Postgres.Protocol;

/// <summary>Transaction status byte of ReadyForQuery (§55.7).</summary>
public static class TransactionStatus
{
    /// <summary>'I': idle, not in a transaction block.</summary>
    public const byte Idle = (byte)'I';

    /// <summary>'T': in a transaction block.</summary>
    public const byte InTransaction = (byte)'T';

    /// <summary>'E': in a failed transaction block; queries are rejected until it ends.</summary>
    public const byte Failed = (byte)'E';

    /// <summary>Whether <paramref name="status"/> is 'I', 'T' or 'E'.</summary>
    /// <param name="status">The status byte.</param>
    /// <returns><see langword="true"/> for a valid status.</returns>
    public static bool IsValid(byte status) => status is Idle or InTransaction or Failed;
}
