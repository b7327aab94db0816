namespace Vigil.Postgres.Protocol;

/// <summary>
/// SSLRequest (code 80877103, 8-byte packet): the client asks to switch to TLS. The server answers a
/// single byte 'S' (proceed with the TLS handshake) or 'N' (§55.2.10 SSL Session Encryption).
/// </summary>
public sealed record SslRequest : StartupRequest;
