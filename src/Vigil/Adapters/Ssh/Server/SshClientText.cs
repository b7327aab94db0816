using System.Text;
using Vigil.Ssh;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// Messages from the gateway itself to an SSH client, on stderr (SSH_MSG_CHANNEL_EXTENDED_DATA, RFC 4254 §5.2) so they
/// never mix with the target's stdout. On a terminal (a pty was requested) lines end in CR LF, since the client's
/// terminal is in raw mode and a bare LF would not return the cursor.
/// </summary>
internal static class SshClientText
{
    /// <summary>The exit status for a command the gateway refused to run (the shell's "found but not executable", 126).</summary>
    public const int Refused = 126;

    /// <summary>The exit status when the gateway could not run the command at all (as OpenSSH's own ssh errors: 255).</summary>
    public const int Failed = 255;

    /// <summary>Writes <c>vigil: <paramref name="message"/></c> as one line on stderr; a closed channel is ignored.</summary>
    public static async Task ErrorAsync(SshSessionChannel channel, string message, CancellationToken cancellationToken)
    {
        var newline = channel.Pty is null ? "\n" : "\r\n";
        var text = message.StartsWith("vigil: ", StringComparison.Ordinal) ? message : "vigil: " + message;
        try
        {
            await channel.WriteErrorAsync(Encoding.UTF8.GetBytes(text.ReplaceLineEndings(newline) + newline), cancellationToken);
        }
        catch (IOException)
        {
            // The client is gone; the session record says why the command did not run.
        }
    }

    /// <summary>Writes <paramref name="message"/> on stderr, then sends <paramref name="exitStatus"/> (RFC 4254 §6.10).</summary>
    public static async Task FailAsync(SshSessionChannel channel, string message, int exitStatus, CancellationToken cancellationToken)
    {
        await ErrorAsync(channel, message, cancellationToken);
        try
        {
            await channel.SendExitStatusAsync((uint)exitStatus, cancellationToken);
        }
        catch (IOException)
        {
        }
    }
}
