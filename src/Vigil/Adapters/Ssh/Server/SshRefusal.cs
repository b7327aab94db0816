using Vigil.Pipeline;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>The line an SSH client is shown for a command the pipeline refused: the reason, then its detail (the review link) when there is one.</summary>
internal static class SshRefusal
{
    /// <summary><c>vigil: REASON</c>, followed by the detail on its own line.</summary>
    public static string Text(Decision decision) =>
        "vigil: " + decision.Reason + (string.IsNullOrEmpty(decision.Detail) ? "" : "\n" + decision.Detail);
}
