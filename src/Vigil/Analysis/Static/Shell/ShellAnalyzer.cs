namespace Vigil.Analysis.Static.Shell;

/// <summary>
/// Deterministic risk analysis of a POSIX shell command line. The line is parsed with <see cref="ShellTokenizer"/>;
/// every simple command (including those in pipelines, lists, subshells, functions and substitutions) is classified
/// after wrappers (<c>sudo</c>, <c>env</c>, <c>timeout</c>, <c>xargs</c>, <c>sh -c '…'</c>, …) are stripped, then
/// pipelines are checked as a whole (download or decode into an interpreter, data into a socket, fork bombs).
/// The worst verdict wins; unknown commands are Medium. Words inside quoted arguments are data, not commands.
/// </summary>
public static class ShellAnalyzer
{
    /// <summary>How many times a command string may be re-parsed (<c>sh -c "sh -c '…'"</c>) before the analyzer stops.</summary>
    internal const int MaxRecursion = 8;

    /// <summary>Classifies one shell command line. Never throws; an empty line is Low.</summary>
    public static StaticVerdict Analyze(string commandLine) => Analyze(commandLine ?? "", 0);

    /// <summary>Classifies an argv (e.g. the command after <c>kubectl exec … --</c>) without shell parsing of the words.</summary>
    public static StaticVerdict Analyze(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0) return Verdicts.Low("Empty command", "No command to run.");
        return Analyze(ShellArgs.Quote(argv), 0);
    }

    internal static StaticVerdict Analyze(string commandLine, int depth)
    {
        if (depth > MaxRecursion)
            return Verdicts.Medium("Deeply nested command", "Command strings nest too deeply to analyze; review by hand.", commandLine);
        var script = ShellTokenizer.Parse(commandLine);
        if (script.Commands.Count == 0) return Verdicts.Low("Empty command", "No command to run.");
        var context = new ShellContext(script, depth);
        StaticVerdict? worst = null;
        for (var i = 0; i < script.Commands.Count; i++) worst = Verdicts.Worse(worst, context.AnalyzeCommand(i));
        worst = Verdicts.Worse(worst, ShellFlowRules.Analyze(context));
        if (script.DepthExceeded)
            worst = Verdicts.Worse(worst, Verdicts.Medium("Deeply nested command", "Substitutions nest too deeply to analyze; review by hand.", commandLine));
        return worst ?? Verdicts.Low("Read-only diagnostic", "Runs read-only commands.");
    }
}
