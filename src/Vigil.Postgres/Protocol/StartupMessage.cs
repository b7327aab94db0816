namespace Vigil.Postgres.Protocol;

/// <summary>
/// StartupMessage (§55.2.1, §55.7): protocol version plus run-time parameters as name/value pairs.
/// </summary>
/// <param name="MajorVersion">Protocol major version; <see cref="MessageReader.TryReadStartup"/> only returns 3.</param>
/// <param name="MinorVersion">Protocol minor version requested (0..65535); a server supporting only 3.0
/// answers a larger value with NegotiateProtocolVersion.</param>
/// <param name="Parameters">Parameters in the packet (e.g. "user", "database", "application_name");
/// names are case-sensitive and unique.</param>
public sealed record StartupMessage(int MajorVersion, int MinorVersion, IReadOnlyDictionary<string, string> Parameters)
    : StartupRequest
{
    /// <summary>Prefix of protocol options (as opposed to run-time parameters), §55.2.1.</summary>
    public const string ProtocolOptionPrefix = "_pq_.";

    /// <summary>The "user" parameter, or the empty string if absent (the parser rejects that case).</summary>
    public string User => Parameters.TryGetValue("user", out var user) ? user : string.Empty;

    /// <summary>The "database" parameter; defaults to <see cref="User"/> when absent or empty, as PostgreSQL does.</summary>
    public string Database =>
        Parameters.TryGetValue("database", out var database) && database.Length > 0 ? database : User;

    /// <summary>
    /// Names of protocol options (keys starting with "_pq_."), in ordinal order. A server that does not
    /// understand them lists them in NegotiateProtocolVersion.
    /// </summary>
    public IReadOnlyList<string> UnrecognizedOptions =>
        Parameters.Keys
            .Where(k => k.StartsWith(ProtocolOptionPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
