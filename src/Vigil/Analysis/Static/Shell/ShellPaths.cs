namespace Vigil.Analysis.Static.Shell;

/// <summary>
/// What a path names, by its spelling only (nothing touches the filesystem): the root, a home directory, system and
/// data directories, credential files, persistence locations, history and logs, block devices. <c>~</c>,
/// <c>$HOME</c> and <c>${HOME}</c> are read as a home directory.
/// </summary>
internal static class ShellPaths
{
    private static readonly string[] SystemPrefixes =
        ["/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev", "/proc", "/sys", "/root", "/snap"];

    private static readonly string[] DataPrefixes =
        ["/var/lib", "/var/backups", "/var/www", "/var/spool", "/var/mail", "/var/opt", "/srv", "/data", "/var/log"];

    private static readonly HashSet<string> HistoryFiles = new(StringComparer.Ordinal)
    {
        ".bash_history", ".zsh_history", ".sh_history", ".history", ".python_history", ".mysql_history", ".psql_history",
        ".node_repl_history", ".lesshst", ".viminfo", ".ash_history",
    };

    private static readonly HashSet<string> ShellStartupFiles = new(StringComparer.Ordinal)
    {
        ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zprofile", ".zshenv", ".zlogin",
    };

    private static readonly HashSet<string> CredentialFileNames = new(StringComparer.Ordinal)
    {
        ".pgpass", ".netrc", "_netrc", ".git-credentials", ".vault-token", ".my.cnf", "application_default_credentials.json",
        "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", "credentials.db", "access_tokens.db",
    };

    /// <summary>Rewrites <c>$HOME</c>/<c>${HOME}</c> to <c>~</c>, collapses <c>//</c> and <c>/./</c>, drops a trailing
    /// <c>/</c>, <c>/.</c> or <c>/*</c> (setting <paramref name="glob"/>).</summary>
    internal static string Normalize(string path, out bool glob)
    {
        glob = false;
        var p = path.Trim();
        if (p.StartsWith("${HOME}", StringComparison.Ordinal)) p = "~" + p[7..];
        else if (p.StartsWith("$HOME", StringComparison.Ordinal) && (p.Length == 5 || p[5] == '/')) p = "~" + p[5..];
        if (p.Contains("//", StringComparison.Ordinal)) while (p.Contains("//", StringComparison.Ordinal)) p = p.Replace("//", "/", StringComparison.Ordinal);
        if (p.Contains("/./", StringComparison.Ordinal)) p = p.Replace("/./", "/", StringComparison.Ordinal);
        while (p.Length > 1)
        {
            if (p.EndsWith("/*", StringComparison.Ordinal) || p.EndsWith("/.*", StringComparison.Ordinal)) { glob = true; p = p[..p.LastIndexOf('/')]; if (p.Length == 0) p = "/"; continue; }
            if (p.EndsWith("/.", StringComparison.Ordinal)) { p = p[..^2]; if (p.Length == 0) p = "/"; continue; }
            if (p.EndsWith('/')) { p = p[..^1]; continue; }
            break;
        }
        if (p.Contains('*', StringComparison.Ordinal) || p.Contains('?', StringComparison.Ordinal)) glob = true;
        return p;
    }

    private static bool Under(string p, string prefix) =>
        p.Equals(prefix, StringComparison.Ordinal) || (p.StartsWith(prefix, StringComparison.Ordinal) && p.Length > prefix.Length && p[prefix.Length] == '/');

    private static string FileName(string p)
    {
        var slash = p.LastIndexOf('/');
        return slash < 0 ? p : p[(slash + 1)..];
    }

    private static string ParentName(string p)
    {
        var slash = p.LastIndexOf('/');
        if (slash <= 0) return "";
        var prev = p.LastIndexOf('/', slash - 1);
        return p[(prev + 1)..slash];
    }

    /// <summary><c>/</c> itself (after normalization, so also <c>/*</c>, <c>//</c>, <c>/.</c>).</summary>
    internal static bool IsRoot(string normalized) => normalized == "/";

    /// <summary>A whole home directory: <c>~</c>, <c>~user</c>, <c>/root</c>, <c>/home</c>, <c>/home/NAME</c>, <c>/Users/NAME</c>.</summary>
    internal static bool IsHome(string normalized)
    {
        if (normalized == "~" || (normalized.StartsWith('~') && !normalized.Contains('/', StringComparison.Ordinal))) return true;
        if (normalized is "/root" or "/home" or "/Users") return true;
        return (normalized.StartsWith("/home/", StringComparison.Ordinal) || normalized.StartsWith("/Users/", StringComparison.Ordinal))
            && normalized.Count(c => c == '/') == 2;
    }

    /// <summary>Number of segments of an absolute path (<c>/var/lib</c> is 2).</summary>
    internal static int Depth(string normalized) =>
        normalized.StartsWith('/') ? (normalized == "/" ? 0 : normalized.Count(c => c == '/')) : -1;

    /// <summary>Operating-system directories and everything under them.</summary>
    internal static bool IsSystem(string normalized)
    {
        foreach (var prefix in SystemPrefixes) if (Under(normalized, prefix)) return true;
        return false;
    }

    /// <summary>Directories that hold data (databases, backups, web roots, logs, spools).</summary>
    internal static bool IsData(string normalized)
    {
        foreach (var prefix in DataPrefixes) if (Under(normalized, prefix)) return true;
        return false;
    }

    /// <summary>Files that hold secrets: <c>/etc/shadow</c>, SSH private keys, cloud and cluster credentials, .pgpass, .netrc, .env, keys.</summary>
    internal static bool IsCredential(string path)
    {
        var p = Normalize(path, out _);
        if (p.Length == 0) return false;
        if (p.StartsWith("/etc/shadow", StringComparison.Ordinal) || p.StartsWith("/etc/gshadow", StringComparison.Ordinal)
            || p is "/etc/security/opasswd" or "/etc/master.passwd") return true;
        var name = FileName(p);
        var parent = ParentName(p);
        if (name == ".ssh" || (parent == ".ssh" && (name.StartsWith("id_", StringComparison.Ordinal) || name.StartsWith('*') || name == "identity") && !name.EndsWith(".pub", StringComparison.Ordinal)))
            return true;
        if (name.StartsWith("ssh_host_", StringComparison.Ordinal) && (name.EndsWith("_key", StringComparison.Ordinal) || name.EndsWith('*'))) return true;
        if (CredentialFileNames.Contains(name)) return true;
        if (p.Contains(".aws/credentials", StringComparison.Ordinal) || p.Contains(".kube/config", StringComparison.Ordinal)
            || p.Contains(".docker/config.json", StringComparison.Ordinal) || p.Contains(".config/gcloud", StringComparison.Ordinal)
            || p.Contains("/secrets/kubernetes.io", StringComparison.Ordinal) || p.StartsWith("/run/secrets", StringComparison.Ordinal)
            || p.StartsWith("/etc/ssl/private", StringComparison.Ordinal) || p.StartsWith("/etc/kubernetes/admin.conf", StringComparison.Ordinal)
            || p.Contains(".gnupg/private-keys", StringComparison.Ordinal) || p.EndsWith(".aws", StringComparison.Ordinal)) return true;
        if (p.StartsWith("/proc/", StringComparison.Ordinal) && name == "environ") return true;
        if (name == ".env" || (name.StartsWith(".env.", StringComparison.Ordinal) && !name.EndsWith(".example", StringComparison.Ordinal)
            && !name.EndsWith(".sample", StringComparison.Ordinal) && !name.EndsWith(".template", StringComparison.Ordinal) && !name.EndsWith(".dist", StringComparison.Ordinal)))
            return true;
        return name.EndsWith(".key", StringComparison.Ordinal) || name.EndsWith(".p12", StringComparison.Ordinal)
            || name.EndsWith(".pfx", StringComparison.Ordinal) || name.EndsWith(".jks", StringComparison.Ordinal)
            || name.EndsWith(".keystore", StringComparison.Ordinal) || name.EndsWith(".kdbx", StringComparison.Ordinal)
            || name.EndsWith(".ppk", StringComparison.Ordinal);
    }

    /// <summary>Locations that run code later or grant access: cron, systemd units, init scripts, shell startup files,
    /// sudoers, authorized_keys, account databases, PAM, ld.so.preload.</summary>
    internal static bool IsPersistence(string path)
    {
        var p = Normalize(path, out _);
        var name = FileName(p);
        if (name is "authorized_keys" or "authorized_keys2") return true;
        if (ShellStartupFiles.Contains(name)) return true;
        if (p.StartsWith("/etc/cron", StringComparison.Ordinal) || p.StartsWith("/var/spool/cron", StringComparison.Ordinal)
            || p.StartsWith("/etc/anacrontab", StringComparison.Ordinal) || p.StartsWith("/etc/sudoers", StringComparison.Ordinal)
            || p.StartsWith("/etc/systemd/", StringComparison.Ordinal) || p.StartsWith("/lib/systemd/", StringComparison.Ordinal)
            || p.StartsWith("/usr/lib/systemd/", StringComparison.Ordinal) || p.Contains(".config/systemd/", StringComparison.Ordinal)
            || p.StartsWith("/etc/init.d", StringComparison.Ordinal) || p.StartsWith("/etc/rc", StringComparison.Ordinal)
            || p.StartsWith("/etc/profile", StringComparison.Ordinal) || p is "/etc/bash.bashrc" or "/etc/environment" or "/etc/ld.so.preload"
            || p.StartsWith("/etc/pam.d", StringComparison.Ordinal) || p.StartsWith("/etc/update-motd.d", StringComparison.Ordinal)
            || p.Contains("/autostart", StringComparison.Ordinal)) return true;
        return p is "/etc/passwd" or "/etc/shadow" or "/etc/group" or "/etc/gshadow";
    }

    /// <summary>Shell histories and system logs (tampering with them hides activity).</summary>
    internal static bool IsForensic(string path)
    {
        var p = Normalize(path, out _);
        if (HistoryFiles.Contains(FileName(p))) return true;
        return Under(p, "/var/log") || p is "/var/run/utmp" or "/run/utmp";
    }

    /// <summary>Disks, partitions and raw memory (<c>/dev/sda</c>, <c>/dev/nvme0n1</c>, <c>/dev/mapper/…</c>, <c>/dev/mem</c>).</summary>
    internal static bool IsBlockDevice(string path)
    {
        if (!path.StartsWith("/dev/", StringComparison.Ordinal)) return false;
        var rest = path.AsSpan(5);
        return rest.StartsWith("sd") || rest.StartsWith("hd") || rest.StartsWith("vd") || rest.StartsWith("xvd")
            || rest.StartsWith("nvme") || rest.StartsWith("mmcblk") || rest.StartsWith("md") || rest.StartsWith("dm-")
            || rest.StartsWith("mapper/") || rest.StartsWith("disk/") || rest.StartsWith("loop") || rest is "mem" or "kmem" or "port";
    }

    /// <summary>bash's <c>/dev/tcp/HOST/PORT</c> and <c>/dev/udp/…</c> pseudo-files: a raw network connection.</summary>
    internal static bool IsNetworkDevice(string path) =>
        path.StartsWith("/dev/tcp/", StringComparison.Ordinal) || path.StartsWith("/dev/udp/", StringComparison.Ordinal);

    /// <summary>Harmless sinks and sources: <c>/dev/null</c>, the standard streams, terminals.</summary>
    internal static bool IsHarmlessDevice(string path) =>
        path is "/dev/null" or "/dev/stdout" or "/dev/stderr" or "/dev/stdin" or "/dev/tty" or "/dev/zero" or "/dev/random" or "/dev/urandom"
        || path.StartsWith("/dev/fd/", StringComparison.Ordinal) || path.StartsWith("/dev/pts/", StringComparison.Ordinal);

    /// <summary>Scratch locations where writing is routine.</summary>
    internal static bool IsTemp(string normalized) =>
        Under(normalized, "/tmp") && normalized != "/tmp" || Under(normalized, "/var/tmp") && normalized != "/var/tmp";
}
