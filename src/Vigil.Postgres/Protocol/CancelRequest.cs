namespace Vigil.Postgres.Protocol;

/// <summary>
/// CancelRequest (code 80877102, 16-byte packet, §55.2.9 Canceling Requests in Progress): sent on a new
/// connection to cancel the query running on the session identified by the BackendKeyData values.
/// </summary>
/// <param name="ProcessId">Backend process id from BackendKeyData.</param>
/// <param name="SecretKey">4-byte secret key from BackendKeyData.</param>
public sealed record CancelRequest(int ProcessId, int SecretKey) : StartupRequest;
