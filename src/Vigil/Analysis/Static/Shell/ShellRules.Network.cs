namespace Vigil.Analysis.Static.Shell;

internal static partial class ShellRules
{
    /// <summary>Commands that fetch content from the network.</summary>
    internal static readonly HashSet<string> Downloaders = new(StringComparer.Ordinal)
    {
        "curl", "wget", "fetch", "aria2c", "axel", "lwp-download", "lwp-request", "GET", "http", "https", "xh", "curlie", "tftp", "ftp",
    };

    /// <summary>Commands that open raw connections (their output can be a remote attacker's input).</summary>
    internal static readonly HashSet<string> NetcatLike = new(StringComparer.Ordinal)
    {
        "nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "telnet", "socat", "cryptcat", "pwncat",
    };

    private static StaticVerdict? Network(ShellContext context, int index, string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        switch (name)
        {
            case "curl" or "wget" or "fetch" or "http" or "https" or "xh" or "aria2c":
                return Download(a, s, name);
            case "nc" or "ncat" or "netcat" or "nc.traditional" or "nc.openbsd" or "cryptcat" or "pwncat":
                {
                    foreach (var w in a.AsSpan(s + 1))
                        if (w is "--exec" or "--sh-exec" or "--lua-exec" || (w.Length > 1 && w[0] == '-' && w[1] != '-' && (w.AsSpan(1).IndexOf('e') >= 0 || w.AsSpan(1).IndexOf('c') >= 0)))
                            return Verdicts.High("Reverse shell", "netcat with -e/-c hands a shell to whoever is at the other end of the connection.", evidence);
                    foreach (var r in context.Script.Commands[index].Redirections)
                        if (r.IsFileInput)
                            return Verdicts.High("Data exfiltration", "Sends a local file's content to a remote host over a raw connection.", evidence + " < " + r.Target.Text);
                    return Verdicts.Medium("Raw network connection", "Opens a raw TCP/UDP connection or listener.", evidence);
                }
            case "socat":
                return a.Skip(s + 1).Any(w => w.Contains("exec:", StringComparison.OrdinalIgnoreCase) || w.Contains("system:", StringComparison.OrdinalIgnoreCase))
                    ? Verdicts.High("Reverse shell", "socat connects a program's input and output to a network peer, giving it a shell.", evidence)
                    : Verdicts.Medium("Raw network connection", "Relays data between network endpoints.", evidence);
            case "telnet":
                return Verdicts.Medium("Raw network connection", "Opens a raw TCP connection.", evidence);
            case "scp" or "rsync" or "sftp" or "lftp" or "smbclient" or "rclone" or "ftp" or "tftp":
                {
                    var operands = ShellArgs.Operands(a, s, ["-P", "-i", "-o", "-F", "-c", "-l", "-S", "-J", "-e", "--rsh", "--exclude", "--include", "--port", "-f", "--filter", "--password-file", "--log-file", "--exclude-from", "--include-from", "-b"]);
                    if (name is "scp" or "rsync" && operands.Count >= 2 && IsRemote(operands[^1]) && operands.Take(operands.Count - 1).Any(o => !IsRemote(o)))
                        return Verdicts.High("Data exfiltration", "Copies local files to a remote host.", evidence);
                    if (name == "rclone" && operands.Count >= 3 && operands[0] is "copy" or "sync" or "move" && IsRemote(operands[^1]) && !IsRemote(operands[1]))
                        return Verdicts.High("Data exfiltration", "Copies local files to a remote storage service.", evidence);
                    return Verdicts.Medium("Remote file transfer", "Transfers files between this host and a remote one.", evidence);
                }
            case "ssh" or "mosh" or "autossh":
                {
                    var operands = ShellArgs.Operands(a, s, ["-p", "-i", "-o", "-F", "-c", "-l", "-J", "-L", "-R", "-D", "-W", "-b", "-e", "-m", "-O", "-S", "-w", "-E", "-B", "-I", "-Q"]);
                    StaticVerdict v = ShellArgs.HasShort(a, s, 'R') || ShellArgs.HasShort(a, s, 'D') || ShellArgs.HasShort(a, s, 'L')
                        ? Verdicts.Medium("SSH tunnel", "Opens an SSH tunnel that forwards network traffic.", evidence)
                        : Verdicts.Medium("Remote shell", "Runs commands on another host over SSH.", evidence);
                    if (operands.Count > 1) v = Verdicts.Worse(v, ShellAnalyzer.Analyze(string.Join(' ', operands.Skip(1)), context.Depth + 1))!;
                    return v;
                }
            case "openssl":
                {
                    var sub = s + 1 < a.Length ? a[s + 1] : "";
                    if (sub is "x509" or "s_client" or "version" or "rand" or "dgst" or "verify" or "ciphers" or "list" or "crl" or "enc" or "base64" or "speed" or "help" or "errstr" or "asn1parse")
                        return Low();
                    return Verdicts.Medium("Cryptographic operation", "Generates or converts keys or certificates.", evidence);
                }
            case "aws" or "gcloud" or "az" or "vault" or "doppler" or "op" or "bw" or "gopass" or "pass":
                {
                    var words = a.Skip(s + 1).ToArray();
                    var secret = words.Any(w => w is "get-secret-value" or "get-password-data" or "create-access-key" or "export-credentials" or "print-access-token" or "print-identity-token" or "access")
                        || (words.Contains("get-parameter") || words.Contains("get-parameters") || words.Contains("get-parameters-by-path")) && words.Contains("--with-decryption")
                        || (name == "vault" && words.Length > 0 && words[0] is "read" or "kv" && !words.Contains("list"))
                        || (name == "az" && words.Contains("secret") && words.Contains("show"))
                        || (name is "op" or "bw" or "gopass" or "pass" or "doppler" && words.Any(w => w is "get" or "read" or "show" or "download" or "item" or "secrets"));
                    return secret
                        ? Verdicts.High("Credential access", "Reads secrets or mints credentials from a secret store or cloud identity service.", evidence)
                        : Verdicts.Medium("Cloud CLI call", "Calls a cloud or secret-store API whose effect depends on the operation.", evidence);
                }
        }
        return null;
    }

    private static StaticVerdict Download(string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        StaticVerdict v = Low("Web request", "Fetches a URL without uploading local data.");
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            var next = k + 1 < a.Length ? a[k + 1] : "";
            string? upload = null;
            if (w is "-T" or "--upload-file") upload = next;
            else if (w.StartsWith("-T", StringComparison.Ordinal) && w.Length > 2) upload = w[2..];
            else if (w is "-d" or "--data" or "--data-binary" or "--data-urlencode" or "--json" or "-F" or "--form" or "--data-ascii" && (next.StartsWith('@') || next.Contains("=@", StringComparison.Ordinal) || next.Contains("=<", StringComparison.Ordinal) || (w == "--data-urlencode" && next.Contains('@', StringComparison.Ordinal))))
                upload = next;
            else if (w.StartsWith("--post-file", StringComparison.Ordinal) || w.StartsWith("--body-file", StringComparison.Ordinal))
                upload = w.Contains('=', StringComparison.Ordinal) ? w[(w.IndexOf('=') + 1)..] : next;
            if (upload is not null)
            {
                var file = upload.TrimStart('@');
                var at = file.IndexOf("=@", StringComparison.Ordinal);
                if (at >= 0) file = file[(at + 2)..];
                if (file is "-" or "")
                    v = Verdicts.Worse(v, Verdicts.Medium("Data upload", "Uploads data from standard input to a remote server.", evidence))!;
                else
                    return Verdicts.High("Data exfiltration", "Uploads a local file's content to a remote server.", evidence);
            }
            if (w is "-X" or "--request" && next.ToUpperInvariant() is "POST" or "PUT" or "PATCH" or "DELETE"
                || w is "-d" or "--data" or "--data-raw" or "--data-binary" or "--json" or "-F" or "--form" || w.StartsWith("--post-data", StringComparison.Ordinal) || w.StartsWith("--method", StringComparison.Ordinal))
                v = Verdicts.Worse(v, Verdicts.Medium("State-changing request", "Sends a request that can change data on the remote service.", evidence))!;
            if (w is "-o" or "--output" or "-O" && name == "wget" && next.Length > 0 || w is "-o" or "--output" && name == "curl")
                v = Verdicts.Worse(v, Write(next, WriteKind.Truncate, name + " " + w + " " + next))!;
            if (w.Contains("169.254.169.254", StringComparison.Ordinal) || w.Contains("metadata.google.internal", StringComparison.Ordinal) || w.Contains("fd00:ec2::254", StringComparison.Ordinal))
                v = Verdicts.Worse(v, w.Contains("credentials", StringComparison.OrdinalIgnoreCase) || w.Contains("token", StringComparison.OrdinalIgnoreCase) || w.Contains("service-accounts", StringComparison.Ordinal)
                    ? Verdicts.High("Cloud credential theft", "Reads instance credentials from the cloud metadata service.", evidence)
                    : Verdicts.Medium("Cloud metadata access", "Queries the cloud instance metadata service.", evidence))!;
        }
        return v;
    }

    private static StaticVerdict Low(string title, string explanation) => Verdicts.Low(title, explanation);
}
