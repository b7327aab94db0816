namespace Vigil.Analysis.Static.Shell;

internal static partial class ShellRules
{
    /// <summary>Commands that only read or report, unless one of the exceptions in <see cref="ReadOnlyCommand"/> applies.</summary>
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "ls", "ll", "la", "dir", "vdir", "df", "du", "uptime", "free", "ps", "pstree", "pgrep", "pidof", "top", "htop", "atop", "btop",
        "vmstat", "iostat", "mpstat", "pidstat", "sar", "nproc", "lscpu", "lsblk", "lsusb", "lspci", "lsmod", "lshw", "dmidecode", "blkid",
        "findmnt", "cat", "tac", "head", "tail", "less", "more", "most", "grep", "egrep", "fgrep", "zgrep", "zcat", "zless", "bzcat", "xzcat",
        "rg", "ag", "ack", "wc", "sort", "uniq", "cut", "paste", "join", "column", "tr", "fold", "fmt", "nl", "expand", "unexpand", "comm",
        "diff", "cmp", "colordiff", "sdiff", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "cksum", "b2sum", "sum",
        "file", "stat", "readlink", "realpath", "basename", "dirname", "which", "whereis", "type", "locate", "tree", "journalctl", "dmesg",
        "echo", "printf", "date", "cal", "whoami", "id", "groups", "hostname", "uname", "arch", "env", "printenv", "pwd", "cd", "pushd",
        "popd", "dirs", "true", "false", "test", "[", "[[", "sleep", "wait", "w", "who", "users", "last", "lastlog", "lastb", "lsof", "ss",
        "netstat", "ip", "ifconfig", "route", "arp", "ping", "ping6", "traceroute", "tracepath", "mtr", "dig", "nslookup", "host", "whois",
        "getent", "timedatectl", "hostnamectl", "localectl", "systemd-analyze", "jq", "yq", "base64", "base32", "xxd", "hexdump", "od",
        "strings", "seq", "expr", "bc", "awk", "gawk", "mawk", "sed", "tee", "man", "help", "info", "apropos", "whatis", "tldr", "history",
        "alias", "export", "set", "declare", "typeset", "local", "ulimit", "umask", "locale", "tty", "clear", "nvidia-smi", "sensors",
        "namei", "getfacl", "getcap", "getenforce", "sestatus", ":", "lsattr", "iptables-save", "uptime", "nstat", "ethtool", "iwconfig",
        "resolvectl", "systemd-resolve", "curl-config", "read", "shift", "return", "exit", "break", "continue", "fc", "jobs", "fg", "bg",
    };

    private static StaticVerdict ReadOnlyCommand(string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        if (name is not ("ls" or "ll" or "la" or "dir" or "stat" or "file" or "echo" or "printf" or "test" or "[" or "[[" or "du" or "namei" or "getfacl" or "lsattr" or "which" or "type" or "readlink" or "realpath" or "basename" or "dirname"))
            foreach (var w in a.AsSpan(s + 1))
            {
                if (w is "/etc/passwd" or "/etc/group" or "/etc/sudoers")
                    return Verdicts.Medium("Account enumeration", "Reads the local account or sudo configuration, a common reconnaissance step.", evidence);
                if (ShellPaths.IsForensic(w) && !w.StartsWith("/var/log", StringComparison.Ordinal))
                    return Verdicts.Medium("Shell history read", "Reads a shell history, which often holds typed passwords and tokens.", evidence);
            }
        switch (name)
        {
            case "tee":
                {
                    StaticVerdict? v = null;
                    var kind = ShellArgs.HasShort(a, s, 'a') || ShellArgs.HasLong(a, s, "--append") ? WriteKind.Append : WriteKind.Truncate;
                    foreach (var file in ShellArgs.Operands(a, s)) v = Verdicts.Worse(v, Write(file, kind, "tee " + file));
                    return v ?? Low();
                }
            case "sed":
                if (ShellArgs.HasShort(a, s, 'i') || ShellArgs.HasLong(a, s, "--in-place"))
                {
                    StaticVerdict v = Verdicts.Medium("In-place file edit", "Edits files in place with sed; reversible only from a backup.", evidence);
                    var operands = ShellArgs.Operands(a, s, ["-e", "-f", "--expression", "--file"]);
                    var scripted = ShellArgs.Value(a, s, 'e', "--expression") is not null || ShellArgs.Value(a, s, 'f', "--file") is not null;
                    for (var k = scripted ? 0 : 1; k < operands.Count; k++) v = Verdicts.Worse(v, Write(operands[k], WriteKind.Edit, "sed -i " + operands[k]))!;
                    return v;
                }
                return Low();
            case "awk" or "gawk" or "mawk":
                foreach (var w in a.AsSpan(s + 1))
                    if (EmbeddedCommand(w) is { } embedded)
                        return Verdicts.AtLeast(ShellAnalyzer.Analyze(embedded, 1), Verdicts.Medium("Awk runs commands", "The awk program runs shell commands through system().", evidence));
                foreach (var w in a.AsSpan(s + 1))
                    if (w.Contains("system(", StringComparison.Ordinal) || w.Contains("| \"", StringComparison.Ordinal) || w.Contains("|&", StringComparison.Ordinal)
                        || w.Contains("> \"/", StringComparison.Ordinal))
                        return Verdicts.Medium("Awk runs commands", "The awk program runs commands or writes files.", evidence);
                return Low();
            case "hostname":
                return ShellArgs.Operands(a, s).Count > 0 ? Verdicts.Medium("Hostname change", "Changes the host's name.", evidence) : Low();
            case "hostnamectl" or "timedatectl" or "localectl" or "resolvectl":
                return a.Skip(s + 1).Any(w => w.StartsWith("set", StringComparison.Ordinal) || w is "revert" or "flush-caches")
                    ? Verdicts.Medium("System setting change", "Changes a system-wide setting.", evidence) : Low();
            case "dmesg":
                return ShellArgs.HasShort(a, s, 'c') || ShellArgs.HasShort(a, s, 'C') || ShellArgs.HasLong(a, s, "--clear") || ShellArgs.HasLong(a, s, "--read-clear")
                    ? Verdicts.High("Log tampering", "Clears the kernel message buffer, erasing a record of activity.", evidence, certain: false) : Low();
            case "journalctl":
                return a.Skip(s + 1).Any(w => w.StartsWith("--vacuum", StringComparison.Ordinal) || w is "--rotate" or "--flush" or "--relinquish-var")
                    ? Verdicts.Medium("Log cleanup", "Rotates or deletes journal files.", evidence) : Low();
            case "history":
                if (ShellArgs.HasShort(a, s, 'c'))
                    return Verdicts.High("History cleared", "Clears the shell history, hiding what was run: an anti-forensics step.", evidence);
                return a.Length > s + 1 && a[s + 1].StartsWith('-') ? Verdicts.Medium("History change", "Rewrites or deletes shell history entries.", evidence) : Low();
            case "mount":
                return ShellArgs.Operands(a, s).Count > 0 ? Verdicts.Medium("Filesystem mount", "Mounts or remounts a filesystem.", evidence) : Low();
            case "ip" or "route" or "ifconfig" or "arp" or "ethtool" or "iwconfig":
                foreach (var w in a.AsSpan(s + 1))
                    if (w is "add" or "del" or "delete" or "set" or "flush" or "change" or "replace" or "up" or "down" or "-d" or "-s" or "-s" or "netmask" or "mtu" or "-K" or "-s")
                        return Verdicts.Medium("Network change", "Changes network interfaces, addresses or routes; may cut connectivity.", evidence);
                return Low();
            case "export" or "set" or "declare" or "typeset" or "local":
                {
                    StaticVerdict? v = null;
                    for (var k = s + 1; k < a.Length; k++)
                    {
                        if (a[k].Contains('=', StringComparison.Ordinal) && char.IsAsciiLetter(a[k][0])) v = Verdicts.Worse(v, Assignment(a[k]));
                        if (name == "set" && a[k] == "+o" && k + 1 < a.Length && a[k + 1] == "history")
                            v = Verdicts.Worse(v, Verdicts.High("History disabled", "Turns shell history off so the session leaves no record.", evidence));
                    }
                    return v ?? Low();
                }
            case "locate" or "mlocate" or "plocate":
                return a.Skip(s + 1).Any(IsKeyPattern) ? Verdicts.Medium("Key material search", "Searches the file index for private keys or credential files.", evidence) : Low();
            case "printenv" or "echo" or "printf":
                foreach (var w in a.AsSpan(s + 1))
                    if (IsSecretVariable(w, name == "printenv"))
                        return Verdicts.High("Credential access", "Prints an environment variable that holds a secret, token or password.", evidence, certain: false);
                return Low();
            case "getent":
                return ShellArgs.Operands(a, s).FirstOrDefault() is "shadow" or "gshadow"
                    ? Verdicts.High("Credential access", "Reads password hashes from the shadow database.", evidence) : Low();
            case "grep" or "egrep" or "fgrep" or "zgrep" or "rg" or "ag" or "ack":
                {
                    var recursive = name is "rg" or "ag" or "ack" || ShellArgs.HasShort(a, s, 'r') || ShellArgs.HasShort(a, s, 'R') || ShellArgs.HasLong(a, s, "--recursive");
                    if (recursive && a.Skip(s + 1).Any(IsSecretPattern))
                        return Verdicts.Medium("Secret search", "Searches files recursively for passwords, keys or tokens.", evidence);
                    return Low();
                }
        }
        return Low();
    }

    /// <summary>The command string of <c>system("…")</c> in awk, Python, Perl, Ruby or PHP code; null when there is none.</summary>
    internal static string? EmbeddedCommand(string code)
    {
        var at = code.IndexOf("system(", StringComparison.Ordinal);
        if (at < 0) return null;
        var open = at + 7;
        if (open >= code.Length || code[open] is not ('"' or '\'')) return null;
        var quote = code[open];
        var close = code.IndexOf(quote, open + 1);
        return close < 0 ? code[(open + 1)..] : code[(open + 1)..close];
    }

    private static bool IsSecretVariable(string word, bool bare)
    {
        var name = word;
        if (!bare)
        {
            var dollar = word.IndexOf('$');
            if (dollar < 0) return false;
            name = word[(dollar + 1)..].Trim('{', '}');
        }
        var upper = name.ToUpperInvariant();
        return upper.Contains("SECRET", StringComparison.Ordinal) || upper.Contains("TOKEN", StringComparison.Ordinal)
            || upper.Contains("PASSWORD", StringComparison.Ordinal) || upper.Contains("PASSWD", StringComparison.Ordinal)
            || upper.Contains("API_KEY", StringComparison.Ordinal) || upper.Contains("ACCESS_KEY", StringComparison.Ordinal)
            || upper.Contains("PRIVATE_KEY", StringComparison.Ordinal);
    }

    private static bool IsSecretPattern(string w) =>
        w.Contains("passw", StringComparison.OrdinalIgnoreCase) || w.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || w.Contains("api_key", StringComparison.OrdinalIgnoreCase) || w.Contains("apikey", StringComparison.OrdinalIgnoreCase)
        || w.Contains("token", StringComparison.OrdinalIgnoreCase) || w.Contains("PRIVATE KEY", StringComparison.OrdinalIgnoreCase)
        || w.Contains("credential", StringComparison.OrdinalIgnoreCase) || w.Contains("AKIA", StringComparison.Ordinal);

    private static StaticVerdict Low() => Verdicts.Low("Read-only diagnostic", "Reads or reports system state without changing it.");
}
