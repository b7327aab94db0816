using Vigil.Analysis.Static.Kubernetes;

namespace Vigil.Analysis.Static.Shell;

internal static partial class ShellRules
{
    private static readonly HashSet<string> GitReads = new(StringComparer.Ordinal)
    {
        "status", "log", "diff", "show", "blame", "rev-parse", "describe", "ls-files", "ls-tree", "shortlog", "reflog", "grep",
        "cat-file", "whatchanged", "version", "help", "fetch", "rev-list", "show-ref", "for-each-ref", "ls-remote", "count-objects", "fsck", "--version",
    };

    private static readonly HashSet<string> DockerReads = new(StringComparer.Ordinal)
    {
        "ps", "images", "logs", "inspect", "stats", "version", "info", "top", "port", "diff", "history", "events", "search", "ls", "--version", "df",
    };

    private static StaticVerdict? Tools(ShellContext context, int index, string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        switch (name)
        {
            case "kubectl" or "oc" or "kubectl.exe":
                return KubectlAnalyzer.Analyze(a.AsSpan(s).ToArray());
            case "git":
                {
                    var operands = ShellArgs.Operands(a, s, ["-C", "-c", "--git-dir", "--work-tree"]);
                    var verb = operands.FirstOrDefault() ?? "";
                    if (GitReads.Contains(verb) || operands.Count == 0) return Low();
                    if (verb is "branch" or "tag" or "remote" or "stash" or "config" or "worktree" && !a.Skip(s + 1).Any(w => w is "-d" or "-D" or "--delete" or "add" or "remove" or "rm" or "rename" or "drop" or "clear" or "pop" or "apply" or "push" or "set-url" or "--unset" or "--add" or "prune" or "-m" or "-M" || (verb == "config" && operands.Count >= 3)))
                        return Low();
                    return Verdicts.Medium("Repository change", "Changes the repository, its history or a remote.", evidence);
                }
            case "docker" or "podman" or "nerdctl" or "crictl" or "ctr":
                {
                    var operands = ShellArgs.Operands(a, s, ["-H", "--host", "--context", "-c", "--config", "-e", "--env", "-v", "--volume", "-p", "--publish", "--name", "-u", "--user", "-w", "--workdir", "--network", "--entrypoint", "--mount", "-l", "--label", "-f", "--filter", "--format"]);
                    var verb = operands.FirstOrDefault() ?? "";
                    if (verb is "compose" or "container" or "image" or "volume" or "network" or "system" or "buildx" && operands.Count > 1)
                    {
                        var sub = operands[1];
                        if (DockerReads.Contains(sub) || sub is "config") return Low();
                        if (verb is "volume" && sub is "rm" or "prune" || verb == "system" && sub == "prune" && (ShellArgs.HasLong(a, s, "--volumes")))
                            return Verdicts.High("Volume data loss", "Deletes container volumes and the data in them.", evidence);
                        return Verdicts.Medium("Container change", "Changes containers, images, volumes or networks.", evidence);
                    }
                    if (DockerReads.Contains(verb) || operands.Count == 0) return Low();
                    if (verb is "run" or "create" && (a.Skip(s + 1).Any(w => w is "--privileged" || w.StartsWith("--pid=host", StringComparison.Ordinal) || w.StartsWith("/:/", StringComparison.Ordinal) || w.StartsWith("/var/run/docker.sock", StringComparison.Ordinal) || w.StartsWith("--cap-add=SYS_ADMIN", StringComparison.Ordinal) || w.StartsWith("--cap-add=ALL", StringComparison.Ordinal))))
                        return Verdicts.High("Container escape", "Starts a privileged container or mounts the host root or Docker socket, giving root on the host.", evidence);
                    if (verb is "exec")
                    {
                        var inner = ExecCommand(a, s + 1);
                        StaticVerdict v = Verdicts.Medium("Container exec", "Runs a command inside a running container.", evidence);
                        return inner is null ? v : Verdicts.Worse(v, ShellAnalyzer.Analyze(ShellArgs.Quote(inner), context.Depth + 1))!;
                    }
                    return Verdicts.Medium("Container change", "Starts, stops, removes or builds containers or images.", evidence);
                }
            case "helm":
                {
                    var verb = ShellArgs.Operands(a, s, ["-n", "--namespace", "--kube-context", "--kubeconfig", "-f", "--values", "--set", "-o", "--output", "--version"]).FirstOrDefault() ?? "";
                    if (verb is "list" or "ls" or "status" or "history" or "search" or "show" or "template" or "version" or "lint" or "env" or "repo" or "help" or "") return Low();
                    if (verb is "uninstall" or "delete" or "del" or "un")
                        return Verdicts.High("Release uninstalled", "Uninstalls a Helm release, deleting all of its Kubernetes resources.", evidence, certain: false);
                    if (verb == "get") return Verdicts.Medium("Release values read", "Reads a release's values, which often hold secrets.", evidence);
                    return Verdicts.Medium("Release change", "Installs, upgrades or rolls back a Helm release.", evidence);
                }
            case "ssh-keygen":
                return ShellArgs.HasShort(a, s, 'l') || ShellArgs.HasShort(a, s, 'F') || ShellArgs.HasShort(a, s, 'y') && !ShellArgs.HasShort(a, s, 'f')
                    ? Low() : Verdicts.Medium("Key generation", "Creates or changes SSH keys.", evidence);
            case "ssh-copy-id":
                return Verdicts.Medium("Remote key install", "Adds a public key to a remote account's authorized_keys.", evidence);
            case "psql" or "mysql" or "mariadb" or "mongo" or "mongosh" or "redis-cli" or "sqlite3" or "pg_dump" or "mysqldump" or "pg_restore" or "pg_dumpall" or "cqlsh":
                foreach (var w in a.AsSpan(s + 1))
                    if (IsDestructiveSql(w))
                        return Verdicts.High("Destructive SQL", "Runs SQL that drops or truncates databases or tables.", evidence, certain: false);
                return Verdicts.Medium("Database client", "Connects to a database; what it runs is not analyzed here.", evidence);
            case "make" or "cmake" or "ninja" or "gradle" or "mvn" or "dotnet" or "java" or "javac" or "gcc" or "cc" or "g++" or "clang" or "rustc" or "terraform" or "ansible" or "ansible-playbook" or "pulumi":
                {
                    if (name == "terraform" && a.Skip(s + 1).FirstOrDefault() is "destroy")
                        return Verdicts.High("Infrastructure destroy", "Destroys every resource the Terraform configuration manages.", evidence, certain: false);
                    if (name == "terraform" && a.Skip(s + 1).FirstOrDefault() is "plan" or "show" or "output" or "validate" or "fmt" or "version" or "state" && !a.Skip(s + 1).Any(w => w is "rm" or "mv" or "push"))
                        return Low();
                    return Verdicts.Medium("Build or deploy tool", "Runs a build, deploy or provisioning tool whose effect depends on its inputs.", evidence);
                }
            case "source" or ".":
                return Verdicts.Medium("Script execution", "Runs a script file in the current shell; its content is not visible here.", evidence);
        }
        if (a[s].StartsWith("./", StringComparison.Ordinal) || a[s].StartsWith('/') || a[s].EndsWith(".sh", StringComparison.Ordinal))
            return Verdicts.Medium("Script execution", "Runs a local program or script whose content is not visible here.", evidence);
        return null;
    }

    private static bool IsDestructiveSql(string text) =>
        text.Contains("DROP DATABASE", StringComparison.OrdinalIgnoreCase) || text.Contains("DROP TABLE", StringComparison.OrdinalIgnoreCase)
        || text.Contains("DROP SCHEMA", StringComparison.OrdinalIgnoreCase) || text.Contains("TRUNCATE", StringComparison.OrdinalIgnoreCase)
        || text.Contains("FLUSHALL", StringComparison.OrdinalIgnoreCase) || text.Contains("FLUSHDB", StringComparison.OrdinalIgnoreCase)
        || text.Contains("dropDatabase", StringComparison.Ordinal);

    /// <summary>For <c>docker exec [opts] CONTAINER CMD…</c> (argv from the container name's options), the CMD argv.</summary>
    private static string[]? ExecCommand(string[] a, int from)
    {
        var k = from + 1;
        while (k < a.Length && a[k].StartsWith('-'))
        {
            if (a[k] is "-e" or "--env" or "-u" or "--user" or "-w" or "--workdir" or "--env-file" or "--detach-keys") k++;
            k++;
        }
        k++; // the container
        return k < a.Length ? a[k..] : null;
    }

    private static StaticVerdict Interpreter(ShellContext context, int index, string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        if (a.Length > s + 1 && a[s + 1] is "--version" or "-V" or "-v" or "--help" && name != "bash")
            return Low();
        string? code = null;
        for (var k = s + 1; k < a.Length; k++)
            if (a[k] is "-c" or "-e" or "-E" or "-r" or "--eval" or "-p" or "--print" or "-Command" or "-command" && k + 1 < a.Length) { code = a[k + 1]; break; }
        if (code is not null)
        {
            if (IsReverseShellCode(code))
                return Verdicts.High("Reverse shell", "Inline code opens a socket and attaches a shell or process to it.", evidence);
            if (code.Contains("fork", StringComparison.Ordinal) && (code.Contains("while", StringComparison.Ordinal) || code.Contains("for(;;)", StringComparison.Ordinal) || code.Contains("loop", StringComparison.Ordinal)))
                return Verdicts.High("Fork bomb", "Inline code forks processes in an endless loop, exhausting the host.", evidence, certain: false);
            StaticVerdict inline = Verdicts.Medium("Inline code execution", "Runs inline interpreter code whose effect is not analyzed statically.", evidence);
            return EmbeddedCommand(code) is { } embedded ? Verdicts.AtLeast(ShellAnalyzer.Analyze(embedded, context.Depth + 1), inline) : inline;
        }
        if (name == "python" || name.StartsWith("python", StringComparison.Ordinal))
        {
            var module = ShellArgs.Value(a, s, 'm', null);
            if (module is "http.server" or "SimpleHTTPServer" or "pty")
                return Verdicts.Medium("Ad-hoc server", "Runs a Python module that serves files or spawns terminals.", evidence);
        }
        return Verdicts.Medium("Script execution", "Runs an interpreter on a script whose content is not visible here.", evidence);
    }

    internal static bool IsReverseShellCode(string code)
    {
        var socket = code.Contains("socket", StringComparison.OrdinalIgnoreCase) || code.Contains("fsockopen", StringComparison.Ordinal)
            || code.Contains("TCPSocket", StringComparison.Ordinal) || code.Contains("TCPClient", StringComparison.Ordinal) || code.Contains("/dev/tcp/", StringComparison.Ordinal)
            || code.Contains("net.connect", StringComparison.Ordinal) || code.Contains("Net::", StringComparison.Ordinal);
        if (!socket) return false;
        return code.Contains("subprocess", StringComparison.Ordinal) || code.Contains("pty", StringComparison.Ordinal) || code.Contains("exec", StringComparison.Ordinal)
            || code.Contains("/bin/sh", StringComparison.Ordinal) || code.Contains("/bin/bash", StringComparison.Ordinal) || code.Contains("dup2", StringComparison.Ordinal)
            || code.Contains("spawn", StringComparison.Ordinal) || code.Contains("popen", StringComparison.Ordinal) || code.Contains("system", StringComparison.Ordinal)
            || code.Contains("child_process", StringComparison.Ordinal) || code.Contains("cmd.exe", StringComparison.Ordinal);
    }
}
