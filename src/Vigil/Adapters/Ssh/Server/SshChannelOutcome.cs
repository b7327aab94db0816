namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// How one SSH session channel ended, for the session record: <see cref="Status"/> (a <see cref="Sessions.SessionStatus"/>),
/// <see cref="Reason"/> when it did not end normally, and the exit status the client was sent (null when none).
/// </summary>
public sealed record SshChannelOutcome(string Status, string? Reason, int? ExitStatus);
