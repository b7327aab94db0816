namespace Vigil.Analysis.Static.Shell;

/// <summary>
/// One parsed line under analysis: each command's argv with wrappers stripped, and the per-command checks that apply
/// to every command whatever its name (assignments, redirections, credential paths in arguments).
/// </summary>
internal sealed class ShellContext
{
    private static readonly HashSet<string> MetadataOnly = new(StringComparer.Ordinal)
    {
        "ls", "ll", "stat", "chmod", "chown", "chgrp", "test", "[", "[[", "echo", "printf", "touch", "mkdir", "which", "find",
        "ssh", "ssh-add", "ssh-keygen", "kubectl", "helm", "locate", "mlocate", "plocate", "file", "realpath", "readlink", "basename", "dirname", "du", "namei", "getfacl",
    };

    /// <summary>Options whose value is a key or config file the tool uses, not data it reads out.</summary>
    private static readonly HashSet<string> UseOnlyOptions = new(StringComparer.Ordinal)
    {
        "-i", "--identity", "--key", "--cert", "--cacert", "--kubeconfig", "--key-file", "--passfile", "-K", "--config",
    };

    internal ShellContext(ShellScript script, int depth)
    {
        Script = script;
        Depth = depth;
        var n = script.Commands.Count;
        Argv = new string[n][];
        Unwrapped = new Unwrapped[n];
        for (var i = 0; i < n; i++)
        {
            var words = script.Commands[i].Words;
            var a = new string[words.Count];
            for (var k = 0; k < a.Length; k++) a[k] = words[k].Text;
            Argv[i] = a;
            Unwrapped[i] = ShellWrappers.Strip(a);
        }
    }

    internal ShellScript Script { get; }

    internal int Depth { get; }

    internal string[][] Argv { get; }

    internal Unwrapped[] Unwrapped { get; }

    /// <summary>The real command name of command <paramref name="i"/> (after wrappers), or "".</summary>
    internal string Name(int i) => Unwrapped[i].Start < Argv[i].Length ? ShellArgs.Base(Argv[i][Unwrapped[i].Start]) : "";

    internal StaticVerdict? AnalyzeCommand(int i)
    {
        var command = Script.Commands[i];
        var a = Argv[i];
        var u = Unwrapped[i];
        StaticVerdict? v = null;
        foreach (var assignment in command.Assignments) v = Verdicts.Worse(v, ShellRules.Assignment(assignment.Text));
        v = Verdicts.Worse(v, Redirections(command, a, u.Start));
        if (u.Inner is not null)
        {
            var inner = ShellAnalyzer.Analyze(u.Inner, Depth + 1);
            return Verdicts.Worse(v, inner);
        }
        if (u.Start >= a.Length)
        {
            if (u.RootShell) v = Verdicts.Worse(v, Verdicts.Medium("Interactive root shell", "Opens an interactive root shell; what runs in it is not visible here.", ShellArgs.Join(a, 0)));
            return v ?? (a.Length > 0 || command.Assignments.Count > 0 ? Verdicts.Low("Read-only diagnostic", "Sets shell state or lists privileges only.", "") : null);
        }
        v = Verdicts.Worse(v, ShellRules.Classify(this, i, a, u.Start));
        v = Verdicts.Worse(v, CredentialArguments(a, u.Start));
        return v;
    }

    private static StaticVerdict? Redirections(ShellCommand command, string[] a, int s)
    {
        StaticVerdict? v = null;
        var name = s < a.Length ? ShellArgs.Base(a[s]) : "";
        foreach (var r in command.Redirections)
        {
            var target = r.Target.Text;
            var evidence = (r.Fd?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "") + r.Operator + " " + target;
            if (ShellPaths.IsNetworkDevice(target))
            {
                v = Verdicts.Worse(v, r.IsFileOutput && !ShellRules.IsInterpreter(name) && name.Length > 0
                    ? Verdicts.High("Data exfiltration", "Redirects output to a raw network connection through /dev/tcp or /dev/udp.", evidence)
                    : Verdicts.High("Reverse shell", "Connects a shell's input or output to a remote host through /dev/tcp, handing control to it.", evidence));
                continue;
            }
            if (r.IsFileOutput) v = Verdicts.Worse(v, ShellRules.Write(target, r.Operator is ">>" or "&>>" or "<>" ? WriteKind.Append : WriteKind.Truncate, evidence));
            else if (r.IsFileInput && ShellPaths.IsCredential(target))
                v = Verdicts.Worse(v, Verdicts.High("Credential access", "Reads a file that holds secrets (passwords, keys or tokens).", evidence));
        }
        return v;
    }

    private static StaticVerdict? CredentialArguments(string[] a, int s)
    {
        if (MetadataOnly.Contains(ShellArgs.Base(a[s]))) return null;
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (UseOnlyOptions.Contains(w)) { k++; continue; }
            var eq = w.StartsWith('-') ? w.IndexOf('=') : (w.StartsWith("if=", StringComparison.Ordinal) ? 2 : -1);
            if (eq >= 0 && UseOnlyOptions.Contains(w[..eq])) continue;
            var path = eq >= 0 ? w[(eq + 1)..] : w;
            if (path.StartsWith('@')) path = path[1..];
            if (path.Length == 0 || (path[0] == '-' && eq < 0)) continue;
            if (ShellPaths.IsCredential(path))
                return Verdicts.High("Credential access", "Reads a file that holds secrets (passwords, private keys, cloud or cluster credentials).", ShellArgs.Base(a[s]) + " " + w);
        }
        return null;
    }
}
