namespace Vigil.Ssh;

/// <summary>
/// A session channel request (SSH_MSG_CHANNEL_REQUEST, RFC 4254 §6) as delivered on
/// <see cref="SshSessionChannel.Requests"/>. The library already answered it: SSH_MSG_CHANNEL_SUCCESS for the types
/// below (only the first of shell/exec/subsystem; a later one is refused), SSH_MSG_CHANNEL_FAILURE for any other type
/// (x11-req, auth-agent-req@openssh.com, ...), which is never delivered.
/// </summary>
/// <param name="Type">The request type name, e.g. <c>pty-req</c>.</param>
public abstract record SshChannelRequest(string Type);

/// <summary><c>pty-req</c> (RFC 4254 §6.2): the client wants a terminal.</summary>
/// <param name="Term">TERM value, e.g. <c>xterm-256color</c>.</param>
/// <param name="Columns">Width in characters.</param>
/// <param name="Rows">Height in rows.</param>
/// <param name="WidthPixels">Width in pixels (0 when unknown).</param>
/// <param name="HeightPixels">Height in pixels (0 when unknown).</param>
/// <param name="Modes">Encoded terminal modes (RFC 4254 §8) decoded as opcode → value, e.g. 53 (ECHO) → 1.</param>
public sealed record SshPtyRequest(string Term, uint Columns, uint Rows, uint WidthPixels, uint HeightPixels, IReadOnlyDictionary<byte, uint> Modes)
    : SshChannelRequest("pty-req");

/// <summary><c>env</c> (RFC 4254 §6.4): an environment variable the client passes (at most 64 per channel are kept).</summary>
/// <param name="Name">Variable name.</param>
/// <param name="Value">Value.</param>
public sealed record SshEnvRequest(string Name, string Value) : SshChannelRequest("env");

/// <summary><c>shell</c> (RFC 4254 §6.5): start the user's interactive shell.</summary>
public sealed record SshShellRequest() : SshChannelRequest("shell");

/// <summary><c>exec</c> (RFC 4254 §6.5): run one command.</summary>
/// <param name="Command">The command line as sent (UTF-8 decoded).</param>
public sealed record SshExecRequest(string Command) : SshChannelRequest("exec");

/// <summary><c>subsystem</c> (RFC 4254 §6.5): start a subsystem such as <c>sftp</c>.</summary>
/// <param name="Name">Subsystem name.</param>
public sealed record SshSubsystemRequest(string Name) : SshChannelRequest("subsystem");

/// <summary><c>window-change</c> (RFC 4254 §6.7): the client's terminal was resized.</summary>
/// <param name="Columns">Width in characters.</param>
/// <param name="Rows">Height in rows.</param>
/// <param name="WidthPixels">Width in pixels.</param>
/// <param name="HeightPixels">Height in pixels.</param>
public sealed record SshWindowChangeRequest(uint Columns, uint Rows, uint WidthPixels, uint HeightPixels) : SshChannelRequest("window-change");

/// <summary><c>signal</c> (RFC 4254 §6.9): deliver a signal to the remote process.</summary>
/// <param name="Signal">Signal name without the SIG prefix, e.g. <c>INT</c>.</param>
public sealed record SshSignalRequest(string Signal) : SshChannelRequest("signal");
