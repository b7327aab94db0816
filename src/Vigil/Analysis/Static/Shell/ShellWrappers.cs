namespace Vigil.Analysis.Static.Shell;

/// <summary>The command a wrapper runs: where it starts in the argv, or a command string to parse again.</summary>
/// <param name="Start">Index of the real command name (equal to the argv length when there is none).</param>
/// <param name="Inner">For <c>sh -c STRING</c>, <c>su -c</c>, <c>eval</c>, <c>watch</c>, <c>env -S</c>: the string to analyze.</param>
/// <param name="RootShell">True for <c>sudo -i</c>, <c>sudo -s</c>, <c>su</c> without a command: an interactive root shell.</param>
/// <param name="Wrapper">The last wrapper stripped, for evidence; null when none.</param>
internal readonly record struct Unwrapped(int Start, string? Inner, bool RootShell, string? Wrapper);

/// <summary>
/// Strips command wrappers that run their operands as a command: <c>sudo</c>, <c>doas</c>, <c>env</c>, <c>nohup</c>,
/// <c>time</c>, <c>nice</c>, <c>ionice</c>, <c>timeout</c>, <c>xargs</c>, <c>stdbuf</c>, <c>setsid</c>, <c>command</c>,
/// <c>exec</c>, <c>flock</c>, <c>chroot</c>, <c>busybox</c>, and shells with <c>-c</c> (whose string is parsed again).
/// </summary>
internal static class ShellWrappers
{
    internal static readonly HashSet<string> Shells = new(StringComparer.Ordinal)
    {
        "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "csh", "tcsh", "rbash", "busybox-sh",
    };

    private static readonly HashSet<string> Plain = new(StringComparer.Ordinal)
    {
        "nohup", "builtin", "setsid", "unbuffer", "catchsegv", "torsocks", "proxychains", "proxychains4", "nocorrect", "noglob",
        "caffeinate", "then", "do", "else", "!", "{",
    };

    internal static Unwrapped Strip(string[] a)
    {
        var i = 0;
        string? wrapper = null;
        var rootShell = false;
        while (i < a.Length)
        {
            var name = ShellArgs.Base(a[i]);
            if (Plain.Contains(name)) { wrapper ??= name; i++; continue; }
            switch (name)
            {
                case "sudo" or "doas":
                    wrapper = name;
                    i++;
                    while (i < a.Length && a[i].StartsWith('-'))
                    {
                        var o = a[i];
                        if (o == "--") { i++; break; }
                        if (o is "-i" or "-s" or "--login" or "--shell") rootShell = true;
                        if (o is "-u" or "-g" or "-C" or "-D" or "-h" or "-p" or "-r" or "-t" or "-U" or "-T" or "--user" or "--group" or "--chdir" or "--prompt" or "--host") i++;
                        if (o is "-l" or "-ll" or "--list" or "-v" or "-V" or "-k" or "-K" or "--version" or "--validate") return new(a.Length, null, false, "sudo -l");
                        i++;
                    }
                    if (i >= a.Length) return new(i, null, true, wrapper);
                    continue;
                case "env":
                    wrapper = name;
                    i++;
                    while (i < a.Length)
                    {
                        var o = a[i];
                        if (o is "-S" or "--split-string") return new(a.Length, string.Join(' ', a, i + 1, a.Length - i - 1), false, "env -S");
                        if (o is "-u" or "--unset" or "-C" or "--chdir") { i += 2; continue; }
                        if (o.StartsWith('-') || o.Contains('=', StringComparison.Ordinal)) { i++; continue; }
                        break;
                    }
                    continue;
                case "time" or "command" or "exec":
                    if (name == "command" && i + 1 < a.Length && a[i + 1] is "-v" or "-V") return new(a.Length, null, false, "command -v");
                    wrapper = name;
                    i++;
                    while (i < a.Length && a[i].StartsWith('-') && a[i].Length > 1) i++;
                    continue;
                case "nice" or "ionice" or "chrt" or "taskset" or "stdbuf":
                    wrapper = name;
                    i++;
                    while (i < a.Length && (a[i].StartsWith('-') || (name != "stdbuf" && IsNumberish(a[i]))))
                    {
                        if (a[i] is "-n" or "-c" or "-p" or "-o" or "-e" or "-i" or "--adjustment" or "--class" or "--classdata") i++;
                        i++;
                    }
                    continue;
                case "timeout":
                    wrapper = name;
                    i++;
                    while (i < a.Length && a[i].StartsWith('-'))
                    {
                        if (a[i] is "-s" or "-k" or "--signal" or "--kill-after") i++;
                        i++;
                    }
                    i++; // the duration
                    continue;
                case "flock":
                    wrapper = name;
                    i++;
                    while (i < a.Length && a[i].StartsWith('-'))
                    {
                        if (a[i] is "-c" or "--command") return new(a.Length, i + 1 < a.Length ? a[i + 1] : "", false, name);
                        if (a[i] is "-w" or "--timeout" or "-E" or "--conflict-exit-code") i++;
                        i++;
                    }
                    i++; // the lock file
                    if (i < a.Length && a[i] is "-c" or "--command") return new(a.Length, i + 1 < a.Length ? a[i + 1] : "", false, name);
                    continue;
                case "chroot":
                    wrapper = name;
                    i++;
                    while (i < a.Length && a[i].StartsWith('-')) i++;
                    i++; // the new root
                    continue;
                case "xargs":
                    wrapper = name;
                    i++;
                    while (i < a.Length && a[i].StartsWith('-'))
                    {
                        if (a[i] is "-a" or "-d" or "-E" or "-I" or "-L" or "-n" or "-P" or "-s" or "--arg-file" or "--delimiter" or "--max-args" or "--max-procs") i++;
                        i++;
                    }
                    continue;
                case "busybox" when i + 1 < a.Length:
                    wrapper = name;
                    i++;
                    continue;
                case "eval":
                    return new(a.Length, string.Join(' ', a, i + 1, a.Length - i - 1), false, name);
                case "watch":
                    {
                        i++;
                        var direct = false;
                        while (i < a.Length && a[i].StartsWith('-'))
                        {
                            if (a[i] is "-x" or "--exec") direct = true;
                            if (a[i] is "-n" or "--interval" or "-q" or "--equexit") i++;
                            i++;
                        }
                        if (direct) { wrapper = name; continue; }
                        return new(a.Length, string.Join(' ', a, i, a.Length - i), false, name);
                    }
                case "su" or "runuser":
                    {
                        var k = i + 1;
                        while (k < a.Length)
                        {
                            if (a[k] is "-c" or "--command") return new(a.Length, k + 1 < a.Length ? a[k + 1] : "", false, name);
                            if (a[k] == "--" && name == "runuser") { wrapper = name; i = k + 1; goto next; }
                            if (a[k] is "-u" or "-g" or "-s" or "--shell" or "--user" or "--group") k++;
                            k++;
                        }
                        return new(a.Length, null, true, name);
                    }
                default:
                    if (Shells.Contains(name))
                    {
                        var command = ShellCommandString(a, i);
                        if (command is not null) return new(a.Length, command, false, name + " -c");
                    }
                    return new(i, null, false, wrapper);
            }
            next:;
        }
        return new(i, null, rootShell, wrapper);
    }

    /// <summary>For <c>bash [-opts] -c STRING</c> (also clustered as <c>-lc</c>), the string; otherwise null.</summary>
    internal static string? ShellCommandString(string[] a, int i)
    {
        for (var k = i + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (w.Length < 2 || w[0] is not ('-' or '+')) return null;
            if (w[0] == '-' && w[1] != '-' && w.AsSpan(1).IndexOf('c') >= 0) return k + 1 < a.Length ? a[k + 1] : "";
            if (w is "-o" or "+o" or "-O" or "+O" or "--rcfile" or "--init-file") k++;
        }
        return null;
    }

    private static bool IsNumberish(string w) =>
        w.Length > 0 && (char.IsAsciiDigit(w[0]) || (w.Length > 1 && w[0] == '+' && char.IsAsciiDigit(w[1])) || w.StartsWith("0x", StringComparison.Ordinal));
}
