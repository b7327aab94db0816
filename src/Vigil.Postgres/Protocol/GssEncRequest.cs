namespace Vigil.Postgres.Protocol;

/// <summary>
/// GSSENCRequest (code 80877104, 8-byte packet): the client asks for GSSAPI encryption. The server
/// answers a single byte 'G' or 'N' (§55.2.11 GSSAPI Session Encryption).
/// </summary>
public sealed record GssEncRequest : StartupRequest;
