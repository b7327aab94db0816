namespace Vigil.Postgres.Protocol;

/// <summary>
/// The 5-byte header of a typed message (PostgreSQL 15 docs §55.7): a 1-byte type code and a
/// big-endian Int32 length that counts itself (4 bytes) plus the body, but not the type byte.
/// </summary>
/// <param name="Code">The message type byte, e.g. <see cref="FrontendMessageCode.Query"/>.</param>
/// <param name="Length">The length field in bytes, always ≥ 4 once validated.</param>
public readonly record struct MessageHeader(byte Code, int Length)
{
    /// <summary>Length of the body in bytes (<see cref="Length"/> minus the 4-byte length field).</summary>
    public int BodyLength => Length - 4;
}
