namespace Vigil.Analysis.Static.Shell;

/// <summary>
/// Rules about how commands connect rather than what one command does: content from the network, a decoder or an
/// echo piped (or process-substituted, or here-doc'd) into an interpreter; data piped into a raw socket; a named pipe
/// wired to netcat; a downloaded file executed later; a function that pipes into and backgrounds itself (fork bomb).
/// </summary>
internal static class ShellFlowRules
{
    internal static StaticVerdict? Analyze(ShellContext c)
    {
        var commands = c.Script.Commands;
        var hasFifo = false;
        var hasNetcat = false;
        for (var i = 0; i < commands.Count; i++)
        {
            var name = c.Name(i);
            if (name is "mkfifo" or "mknod") hasFifo = true;
            if (ShellRules.NetcatLike.Contains(name) || (name == "openssl" && c.Argv[i].Contains("s_client"))) hasNetcat = true;
        }
        var members = new Dictionary<ShellPipeline, List<int>>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < commands.Count; i++)
            foreach (var position in commands[i].Pipelines)
                if (position.Pipeline.Stages > 1)
                {
                    if (!members.TryGetValue(position.Pipeline, out var list)) members[position.Pipeline] = list = [];
                    list.Add(i);
                }
        StaticVerdict? worst = hasFifo && hasNetcat
            ? Verdicts.High("Reverse shell", "Wires a named pipe through a network connection into a shell: a classic reverse shell.", "mkfifo … | nc")
            : null;
        List<string>? downloaded = null;
        for (var i = 0; i < commands.Count; i++)
        {
            var name = c.Name(i);
            var command = commands[i];
            var a = c.Argv[i];
            var s = c.Unwrapped[i].Start;
            if (name is "wget" or "curl")
            {
                (downloaded ??= []).AddRange(DownloadTargets(a, s, name));
                foreach (var r in command.Redirections) if (r.IsFileOutput) downloaded.Add(r.Target.Text);
            }

            // Fork bomb: a function that calls itself through a pipe or in the background.
            if (command.Function is { } f && a.Length > 0 && a[0] == f
                && (command.Connector is ShellConnector.Pipe or ShellConnector.Background || command.Pipelines.Any(p => p.Stage > 0)))
                worst = Verdicts.Worse(worst, Verdicts.High("Fork bomb", "A function calls itself through a pipe or in the background, multiplying processes until the host stalls.", command.Source.Length <= 60 ? command.Source : f + "(){ " + f + "|" + f + "& }"));

            if (s >= a.Length) continue;
            var isShell = ShellWrappers.Shells.Contains(name) || name is "source" or "." or "eval";
            var isInterpreter = isShell || ShellRules.IsInterpreter(name);

            // Interpreter reading standard input.
            if (isInterpreter && ReadsStdin(a, s, name))
            {
                foreach (var r in command.Redirections)
                    if (r.IsInlineInput && r.InlineText is { } text)
                        worst = Verdicts.Worse(worst, isShell
                            ? Verdicts.AtLeast(ShellAnalyzer.Analyze(text, c.Depth + 1), Verdicts.Medium("Inline script", "Feeds an inline script to a shell.", ShellArgs.Join(a, s)))
                            : Verdicts.Medium("Inline code execution", "Feeds inline code to an interpreter.", ShellArgs.Join(a, s)));
                foreach (var j in Upstream(commands, members, i))
                    worst = Verdicts.Worse(worst, Feeding(c, j, name, isShell, a, s));
            }

            // Substitutions whose output becomes code: bash <(curl …), sh -c "$(curl …)", $(curl …) as the command.
            if (command.Parent >= 0 && (command.Nesting & (ShellNesting.CommandSubstitution | ShellNesting.ProcessSubstitution)) != 0)
            {
                var parent = command.Parent;
                var parentName = c.Name(parent);
                var executes = command.ParentWord == 0 || command.ParentWord == c.Unwrapped[parent].Start
                    || ShellRules.IsInterpreter(parentName) || parentName is "source" or "." or "eval" || c.Unwrapped[parent].Inner is not null;
                if (executes && (ShellRules.Downloaders.Contains(name) || ShellRules.NetcatLike.Contains(name)))
                    worst = Verdicts.Worse(worst, Verdicts.High("Remote code execution", "Runs code downloaded from the network without inspecting it.", ShellArgs.Join(c.Argv[parent], 0)));
                else if (executes && IsDecoder(a, s, name))
                    worst = Verdicts.Worse(worst, Verdicts.High("Obfuscated execution", "Decodes a hidden payload and runs it as code.", ShellArgs.Join(c.Argv[parent], 0)));
            }

            // Data piped into a raw socket or a remote shell.
            if (ShellRules.NetcatLike.Contains(name) || name is "ssh")
                foreach (var j in Upstream(commands, members, i))
                    if (IsDataSource(c.Name(j)))
                        worst = Verdicts.Worse(worst, Verdicts.High("Data exfiltration", "Pipes local data to a remote host.", ShellArgs.Join(c.Argv[j], 0, 4) + " | " + ShellArgs.Join(a, s, 4), certain: name != "ssh"));

            // A file downloaded earlier on the line is executed.
            if (downloaded is not null && i > 0)
            {
                var target = isInterpreter ? ShellArgs.Operands(a, s).FirstOrDefault() : a[s];
                if (target is not null && downloaded.Any(d => SameFile(d, target)))
                    worst = Verdicts.Worse(worst, Verdicts.High("Remote code execution", "Downloads a file and then executes it without inspection.", ShellArgs.Join(a, s)));
            }
        }
        return worst;
    }

    private static StaticVerdict Feeding(ShellContext c, int j, string name, bool isShell, string[] a, int s)
    {
        var upstream = c.Name(j);
        var ua = c.Argv[j];
        var us = c.Unwrapped[j].Start;
        var evidence = ShellArgs.Join(ua, us, 5) + " | " + ShellArgs.Join(a, s, 3);
        if (ShellRules.Downloaders.Contains(upstream) || ShellRules.NetcatLike.Contains(upstream) || (upstream == "openssl" && ua.Contains("s_client")))
            return Verdicts.High("Remote code execution", "Pipes content fetched from the network straight into " + name + ", running it unseen.", evidence);
        if (IsDecoder(ua, us, upstream))
            return Verdicts.High("Obfuscated execution", "Decodes a hidden payload and pipes it into " + name + " to run.", evidence);
        if (upstream is "echo" or "printf" && isShell && us < ua.Length)
        {
            var text = string.Join(' ', ua.Skip(us + 1).Where(w => !(w.StartsWith('-') && w.Length <= 3)));
            if (upstream == "printf" || ua.Contains("-e"))
                if (text.Contains("\\x", StringComparison.Ordinal) || text.Contains("\\0", StringComparison.Ordinal))
                    return Verdicts.High("Obfuscated execution", "Pipes escaped bytes into a shell, hiding the command that runs.", evidence, certain: false);
            return Verdicts.AtLeast(ShellAnalyzer.Analyze(text, c.Depth + 1), Verdicts.Medium("Piped shell script", "Pipes generated text into a shell to run.", evidence));
        }
        return Verdicts.Medium("Piped code execution", "Pipes generated content into " + name + " to run as code.", evidence);
    }

    /// <summary>How many earlier pipeline members are inspected per command: bounds the work on hostile
    /// thousand-stage pipelines while covering real ones (<c>curl … | tee … | gunzip | sh</c>).</summary>
    private const int MaxUpstream = 16;

    /// <summary>Commands in earlier stages of the pipelines that hold command <paramref name="i"/>, nearest first.</summary>
    private static IEnumerable<int> Upstream(IReadOnlyList<ShellCommand> commands, Dictionary<ShellPipeline, List<int>> members, int i)
    {
        var seen = 0;
        foreach (var position in commands[i].Pipelines)
        {
            if (!members.TryGetValue(position.Pipeline, out var list)) continue;
            var at = list.BinarySearch(i);
            for (var k = (at < 0 ? ~at : at) - 1; k >= 0 && seen < MaxUpstream; k--)
            {
                var j = list[k];
                if (j == i || !Feeds(commands[j], commands[i])) continue;
                seen++;
                yield return j;
            }
        }
    }

    /// <summary>True when <paramref name="from"/> sits in an earlier stage of a pipeline that also holds <paramref name="to"/>.</summary>
    internal static bool Feeds(ShellCommand from, ShellCommand to)
    {
        foreach (var p in to.Pipelines)
            foreach (var q in from.Pipelines)
                if (ReferenceEquals(p.Pipeline, q.Pipeline) && q.Stage < p.Stage) return true;
        return false;
    }

    private static bool ReadsStdin(string[] a, int s, string name)
    {
        if (name is "eval") return false;
        if (name is "source" or ".") return s + 1 < a.Length && a[s + 1] is "/dev/stdin" or "-";
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (w is "-" or "/dev/stdin" or "-s") return true;
            if (w == "--") return k + 1 >= a.Length || a[k + 1] is "-" or "/dev/stdin";
            if (w.StartsWith('-') || w.StartsWith('+'))
            {
                if (w.Length > 1 && w[1] != '-' && w.AsSpan(1).IndexOfAny('c', 'e') >= 0) return false;
                if (w is "-m" or "-o" or "+o" or "-O" or "-I" or "-W" or "-X") k++;
                continue;
            }
            return false;
        }
        return true;
    }

    private static bool IsDecoder(string[] a, int s, string name)
    {
        if (s >= a.Length) return false;
        return name switch
        {
            "base64" or "base32" or "basenc" => ShellArgs.HasShort(a, s, 'd') || ShellArgs.HasShort(a, s, 'D') || ShellArgs.HasLong(a, s, "--decode"),
            "xxd" => ShellArgs.HasShort(a, s, 'r') || ShellArgs.HasLong(a, s, "--revert"),
            "openssl" => ShellArgs.HasShort(a, s, 'd') && a.Skip(s + 1).Any(w => w is "enc" or "base64" or "-base64" or "-a"),
            "uudecode" or "rev" or "gpg" => true,
            _ => false,
        };
    }

    private static bool IsDataSource(string name) =>
        name is "cat" or "tar" or "gzip" or "zip" or "dd" or "base64" or "mysqldump" or "pg_dump" or "pg_dumpall" or "head" or "tail" or "find" or "xxd" or "cpio";

    private static IEnumerable<string> DownloadTargets(string[] a, int s, string name)
    {
        if (s >= a.Length) yield break;
        var output = name == "wget" ? ShellArgs.Value(a, s, 'O', "--output-document") : ShellArgs.Value(a, s, 'o', "--output");
        if (output is { Length: > 0 } and not "-") yield return output;
        if (output is null && (name == "wget" || ShellArgs.HasShort(a, s, 'O') || ShellArgs.HasLong(a, s, "--remote-name")))
            foreach (var url in ShellArgs.Operands(a, s))
                if (url.Contains("://", StringComparison.Ordinal) && url.LastIndexOf('/') is var slash && slash > url.IndexOf("://", StringComparison.Ordinal) + 2)
                    yield return url[(slash + 1)..];
    }

    private static bool SameFile(string downloaded, string target)
    {
        if (downloaded.Length == 0 || target.Length == 0) return false;
        var d = downloaded.StartsWith("./", StringComparison.Ordinal) ? downloaded[2..] : downloaded;
        var t = target.StartsWith("./", StringComparison.Ordinal) ? target[2..] : target;
        return d == t;
    }
}
