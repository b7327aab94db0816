using Vigil.Analysis.Static.Kubernetes;

namespace Vigil.Analysis.Static.Shell;

/// <summary>How a command writes a file.</summary>
internal enum WriteKind
{
    /// <summary><c>&gt;</c>, <c>dd of=</c>, <c>tee</c>: the old content is lost.</summary>
    Truncate,
    /// <summary><c>&gt;&gt;</c>, <c>tee -a</c>.</summary>
    Append,
    /// <summary><c>cp</c>, <c>mv</c>, <c>install</c>, <c>ln</c>: a file is replaced.</summary>
    Replace,
    /// <summary><c>sed -i</c>, editors: edited in place.</summary>
    Edit,
}

/// <summary>Per-command knowledge: what a command with these arguments does, by its name (after wrappers).</summary>
internal static partial class ShellRules
{
    internal static readonly HashSet<string> Interpreters = new(StringComparer.Ordinal)
    {
        "python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "lua", "pwsh", "powershell", "tclsh", "Rscript", "deno", "bun",
    };

    /// <summary>Shells and script interpreters (<c>python3.11</c> included).</summary>
    internal static bool IsInterpreter(string name) =>
        ShellWrappers.Shells.Contains(name) || Interpreters.Contains(name) || name.StartsWith("python", StringComparison.Ordinal);

    internal static StaticVerdict? Classify(ShellContext context, int index, string[] a, int s)
    {
        var name = ShellArgs.Base(a[s]);
        if (context.Script.Functions.Contains(a[s]) && context.Script.Commands[index].Function is null)
            return Verdicts.Low("Function call", "Calls a function defined on this line; its body is analyzed separately.", a[s]);
        if (name.StartsWith("mkfs", StringComparison.Ordinal))
            return Verdicts.High("Disk format", "Creates a new filesystem, erasing everything on the device.", ShellArgs.Join(a, s));
        if (ReadOnly.Contains(name)) return ReadOnlyCommand(a, s, name);
        var v = Files(context, index, a, s, name) ?? Network(context, index, a, s, name) ?? Systems(context, index, a, s, name)
            ?? Tools(context, index, a, s, name);
        if (v is not null) return v;
        if (IsInterpreter(name)) return Interpreter(context, index, a, s, name);
        if (Offensive.Contains(name))
            return Verdicts.High(name is "nmap" or "masscan" or "zmap" or "rustscan" or "unicornscan" or "arp-scan" or "netdiscover" or "hping3" ? "Network scan" : "Offensive tooling",
                "Runs an attack or scanning tool (" + name + ") that probes or attacks other systems.", ShellArgs.Join(a, s));
        return Verdicts.Medium("Unrecognized command", "The analyzer does not know '" + Short(name) + "'; its effect cannot be judged statically.", ShellArgs.Join(a, s));
    }

    private static readonly HashSet<string> Offensive = new(StringComparer.Ordinal)
    {
        "nmap", "masscan", "zmap", "rustscan", "unicornscan", "arp-scan", "netdiscover", "hping3", "nikto", "sqlmap", "hydra", "medusa",
        "ncrack", "john", "hashcat", "gobuster", "dirb", "dirbuster", "ffuf", "wfuzz", "nuclei", "enum4linux", "crackmapexec", "netexec",
        "responder", "mimikatz", "msfconsole", "msfvenom", "linpeas", "linpeas.sh", "pspy", "pspy64", "chisel", "ligolo",
    };

    private static string Short(string name) => name.Length <= 24 ? name : name[..24] + "…";

    /// <summary>A bare <c>NAME=value</c> or a prefix assignment: switching shell history off hides what follows.</summary>
    internal static StaticVerdict? Assignment(string text)
    {
        var eq = text.IndexOf('=');
        var name = text[..eq];
        var value = text[(eq + 1)..];
        if ((name == "HISTFILE" && (value.Length == 0 || value == "/dev/null")) || (name is "HISTSIZE" or "HISTFILESIZE" && value is "0" or ""))
            return Verdicts.High("History disabled", "Turns shell history off so the session leaves no record: an anti-forensics step.", text);
        if (name is "LD_PRELOAD" or "LD_LIBRARY_PATH" or "LD_AUDIT")
            return Verdicts.Medium("Library injection", "Loads a library into every program the command starts.", text);
        return null;
    }

    /// <summary>What writing <paramref name="target"/> means; null when it is harmless (a temp file, /dev/null, a relative file).</summary>
    internal static StaticVerdict? Write(string target, WriteKind kind, string evidence)
    {
        if (target.Length == 0 || ShellPaths.IsHarmlessDevice(target)) return null;
        if (ShellPaths.IsNetworkDevice(target))
            return Verdicts.High("Data exfiltration", "Sends data to a raw network connection through /dev/tcp or /dev/udp.", evidence);
        if (ShellPaths.IsBlockDevice(target))
            return Verdicts.High("Disk overwrite", "Writes directly onto a disk or memory device, destroying its data.", evidence);
        if (target.StartsWith("/proc/sysrq-trigger", StringComparison.Ordinal))
            return Verdicts.High("Kernel crash trigger", "Writes to /proc/sysrq-trigger, which can crash or reboot the host at once.", evidence);
        if (ShellPaths.IsPersistence(target))
            return Verdicts.High("Persistence mechanism", "Writes a file that runs code or grants access later (cron, startup files, sudoers, authorized keys, accounts, services).", evidence);
        if (ShellPaths.IsForensic(target))
            return kind == WriteKind.Append
                ? Verdicts.Medium("Log write", "Appends to a log or history file; could forge entries.", evidence)
                : Verdicts.High("Log tampering", "Overwrites or replaces a log or shell history file, destroying the record of activity.", evidence);
        if (ShellPaths.IsCredential(target))
            return Verdicts.High("Credential tampering", "Overwrites a file that holds secrets or keys.", evidence);
        var normalized = ShellPaths.Normalize(target, out _);
        if (ShellPaths.IsSystem(normalized) && !normalized.StartsWith("/proc/", StringComparison.Ordinal) && !normalized.StartsWith("/sys/", StringComparison.Ordinal))
            return kind == WriteKind.Truncate
                ? Verdicts.High("System file overwrite", "Overwrites a system file; its previous content is lost and the host may break.", evidence, certain: false)
                : Verdicts.Medium("System file change", "Changes a system or configuration file.", evidence);
        if (normalized.StartsWith("/dev/", StringComparison.Ordinal) || normalized.StartsWith("/proc/", StringComparison.Ordinal) || normalized.StartsWith("/sys/", StringComparison.Ordinal))
            return Verdicts.Medium("Kernel setting change", "Writes a device or kernel setting.", evidence);
        if (ShellPaths.IsTemp(normalized) || !normalized.StartsWith('/')) return null;
        return Verdicts.Medium("File write", "Writes a file outside scratch space.", evidence);
    }
}
