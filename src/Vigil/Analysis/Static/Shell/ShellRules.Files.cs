namespace Vigil.Analysis.Static.Shell;

internal static partial class ShellRules
{
    private static StaticVerdict? Files(ShellContext context, int index, string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        switch (name)
        {
            case "rm" or "unlink" or "rmdir" or "srm":
                return Remove(a, s, name);
            case "shred" or "wipe":
                return ShellArgs.Operands(a, s).Any(ShellPaths.IsForensic)
                    ? Verdicts.High("Log tampering", "Shreds logs or shell history beyond recovery, hiding activity.", evidence)
                    : Verdicts.High("Irreversible file shred", "Overwrites and destroys files so they cannot be recovered.", evidence);
            case "dd":
                {
                    StaticVerdict v = Verdicts.Medium("Raw data copy", "Copies raw data with dd.", evidence);
                    foreach (var w in a.AsSpan(s + 1))
                    {
                        if (w.StartsWith("of=", StringComparison.Ordinal))
                            v = Verdicts.Worse(v, ShellPaths.IsBlockDevice(w[3..])
                                ? Verdicts.High("Disk wipe", "Writes raw data over a disk device, destroying its filesystem.", "dd " + w)
                                : Write(w[3..], WriteKind.Truncate, "dd " + w))!;
                        if (w.StartsWith("if=", StringComparison.Ordinal) && ShellPaths.IsBlockDevice(w[3..]))
                            v = Verdicts.Worse(v, Verdicts.Medium("Raw disk read", "Reads a raw disk, including deleted data and secrets.", "dd " + w))!;
                    }
                    return v;
                }
            case "wipefs" or "blkdiscard" or "sgdisk" or "fdisk" or "sfdisk" or "gdisk" or "cfdisk" or "parted" or "mkswap" or "mke2fs"
                or "cryptsetup" or "mdadm" or "hdparm" or "badblocks":
                {
                    if (name is "fdisk" or "sfdisk" or "gdisk" && (ShellArgs.HasShort(a, s, 'l') || ShellArgs.HasLong(a, s, "--list")))
                        return Low();
                    if (name == "parted" && (ShellArgs.HasShort(a, s, 'l') || ShellArgs.HasLong(a, s, "--list") || (a[^1] == "print" && !a.Contains("mklabel"))))
                        return Low();
                    if (name == "wipefs" && !(ShellArgs.HasShort(a, s, 'a') || ShellArgs.HasLong(a, s, "--all") || ShellArgs.HasShort(a, s, 'o')))
                        return Verdicts.Medium("Disk signature listing", "Lists or probes filesystem signatures on a device.", evidence);
                    if (name is "cryptsetup" or "mdadm" or "hdparm" or "badblocks"
                        && !a.Skip(s + 1).Any(w => w is "luksFormat" or "erase" or "luksErase" or "--zero-superblock" or "--security-erase" or "--security-erase-enhanced" or "-w" or "--create"))
                        return Verdicts.Medium("Disk management", "Manages disks or encrypted volumes.", evidence);
                    return Verdicts.High("Disk wipe", "Partitions, formats or erases a disk device, destroying its data.", evidence);
                }
            case "lvremove" or "vgremove" or "pvremove" or "zpool" or "zfs":
                if (name is "zpool" or "zfs" && !a.Skip(s + 1).Any(w => w is "destroy" or "labelclear"))
                    return a.Skip(s + 1).Any(w => w is "list" or "status" or "get" or "iostat") ? Low() : Verdicts.Medium("Storage change", "Changes storage pools or volumes.", evidence);
                return Verdicts.High("Volume destroyed", "Destroys a storage volume or pool and its data.", evidence);
            case "chmod" or "chown" or "chgrp":
                return Permissions(a, s, name);
            case "mv" or "cp" or "install" or "ln" or "rsync" when name != "rsync" || !ShellArgs.Operands(a, s).Any(IsRemote):
                {
                    var operands = ShellArgs.Operands(a, s, ["-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "-g", "-e", "--exclude"]);
                    StaticVerdict v = Verdicts.Medium(name == "mv" ? "File move" : "File copy", "Moves, copies or links files, possibly replacing existing ones.", evidence);
                    if (operands.Count == 0) return v;
                    var target = ShellArgs.Value(a, s, 't', "--target-directory") ?? operands[^1];
                    v = Verdicts.Worse(v, Write(target, WriteKind.Replace, name + " … " + target))!;
                    if (name == "ln" && operands.Count >= 2 && ShellPaths.IsForensic(target) && operands[0] == "/dev/null")
                        v = Verdicts.Worse(v, Verdicts.High("History disabled", "Links a history or log file to /dev/null so nothing is recorded.", evidence))!;
                    if (name == "mv")
                        foreach (var source in operands.Take(operands.Count - 1))
                        {
                            var n = ShellPaths.Normalize(source, out _);
                            if (ShellPaths.IsRoot(n) || ShellPaths.IsHome(n) || ShellPaths.Depth(n) == 1 || n is "/usr/bin" or "/usr/sbin" or "/usr/lib" or "/usr/lib64" or "/usr/local" or "/var/lib" or "/etc/ssh" or "/etc/pam.d" or "/etc/systemd")
                                v = Verdicts.Worse(v, Verdicts.High("System directory moved", "Moves a system or top-level directory away, breaking the host.", evidence, certain: false))!;
                            else if (ShellPaths.IsForensic(source))
                                v = Verdicts.Worse(v, Verdicts.High("Log tampering", "Moves logs or shell history away, hiding activity.", evidence, certain: false))!;
                        }
                    return v;
                }
            case "truncate":
                {
                    StaticVerdict v = Verdicts.Medium("File truncation", "Truncates files, discarding their content.", evidence);
                    foreach (var file in ShellArgs.Operands(a, s, ["-s", "--size", "-r", "--reference"])) v = Verdicts.Worse(v, Write(file, WriteKind.Truncate, "truncate " + file))!;
                    return v;
                }
            case "touch":
                if (ShellArgs.HasShort(a, s, 'r') || ShellArgs.HasShort(a, s, 'd') || ShellArgs.HasShort(a, s, 't') || ShellArgs.HasLong(a, s, "--date") || ShellArgs.HasLong(a, s, "--reference"))
                    return Verdicts.Medium("Timestamp change", "Sets file timestamps, which can hide when files changed.", evidence);
                return ShellArgs.Operands(a, s).Any(IsOutsideScratch) ? Verdicts.Medium("File creation", "Creates or updates files outside scratch space.", evidence) : Low();
            case "mkdir":
                return ShellArgs.Operands(a, s, ["-m", "--mode"]).Any(IsOutsideScratch) ? Verdicts.Medium("Directory creation", "Creates directories outside scratch space.", evidence) : Low();
            case "vi" or "vim" or "nvim" or "nano" or "emacs" or "ed" or "pico" or "joe" or "mcedit" or "sudoedit":
                {
                    StaticVerdict v = Verdicts.Medium("File edit", "Opens files in an editor to change them.", evidence);
                    foreach (var file in ShellArgs.Operands(a, s)) v = Verdicts.Worse(v, Write(file, WriteKind.Edit, name + " " + file))!;
                    return v;
                }
            case "visudo":
                return ShellArgs.HasShort(a, s, 'c') || ShellArgs.HasLong(a, s, "--check")
                    ? Low() : Verdicts.High("Sudoers change", "Edits sudoers, which controls who can run commands as root.", evidence);
            case "crontab":
                return ShellArgs.HasShort(a, s, 'l') && !ShellArgs.HasShort(a, s, 'r') && !ShellArgs.HasShort(a, s, 'e')
                    ? Low()
                    : Verdicts.High("Persistence mechanism", "Installs, edits or removes scheduled cron jobs, which run code later without a session.", evidence);
            case "find":
                return Find(context, index, a, s);
            case "tar" or "zip" or "unzip" or "gzip" or "gunzip" or "bzip2" or "bunzip2" or "xz" or "unxz" or "7z" or "zstd" or "cpio":
                {
                    var listOnly = name == "tar" ? a.Skip(s + 1).Any(w => (w.StartsWith('-') && w.Contains('t', StringComparison.Ordinal) && !w.StartsWith("--", StringComparison.Ordinal)) || w == "--list" || (w.Length > 0 && w[0] != '-' && w.Contains('t', StringComparison.Ordinal) && w == a[s + 1] && w.All(char.IsAsciiLetter)))
                        : name == "unzip" ? ShellArgs.HasShort(a, s, 'l') : name is "gzip" or "xz" or "zstd" && (ShellArgs.HasShort(a, s, 'l') || ShellArgs.HasShort(a, s, 't'));
                    if (listOnly) return Low();
                    var root = ShellArgs.Value(a, s, 'C', "--directory");
                    if (root is not null && ShellPaths.IsRoot(ShellPaths.Normalize(root, out _)))
                        return Verdicts.High("Archive over root", "Extracts an archive over the root filesystem, replacing system files.", evidence, certain: false);
                    return Verdicts.Medium("Archive operation", "Creates or extracts archives, writing files.", evidence);
                }
        }
        return null;
    }

    private static bool IsOutsideScratch(string path)
    {
        var n = ShellPaths.Normalize(path, out _);
        return n.StartsWith('/') && !ShellPaths.IsTemp(n);
    }

    private static bool IsRemote(string operand)
    {
        if (operand.StartsWith("rsync://", StringComparison.Ordinal)) return true;
        var colon = operand.IndexOf(':');
        if (colon <= 0) return false;
        var slash = operand.IndexOf('/');
        return slash < 0 || slash > colon;
    }

    private static StaticVerdict Remove(string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        var recursive = name == "rm" && (ShellArgs.HasShort(a, s, 'r') || ShellArgs.HasShort(a, s, 'R') || ShellArgs.HasLong(a, s, "--recursive"));
        if (ShellArgs.HasLong(a, s, "--no-preserve-root"))
            return Verdicts.High("Filesystem wipe", "Deletes with --no-preserve-root, which lets rm erase the whole filesystem.", evidence);
        StaticVerdict v = Verdicts.Medium(recursive ? "Recursive delete" : "File deletion",
            recursive ? "Deletes a directory tree irreversibly; scoped to the named path." : "Deletes files irreversibly; scoped to the named paths.", evidence);
        foreach (var target in ShellArgs.Operands(a, s))
        {
            var n = ShellPaths.Normalize(target, out var glob);
            var broad = recursive || glob;
            StaticVerdict? t = null;
            if (ShellPaths.IsRoot(n))
                t = Verdicts.High("Filesystem wipe", "Deletes everything under the root directory, destroying the host.", evidence, certain: broad);
            else if (ShellPaths.IsHome(n) && broad)
                t = Verdicts.High("Home directory wipe", "Deletes whole home directories and every user file in them.", evidence);
            else if (ShellPaths.IsForensic(target))
                t = Verdicts.High("Log tampering", "Deletes logs or shell history, destroying the record of activity.", evidence);
            else if (ShellPaths.IsPersistence(target) && n.StartsWith("/etc", StringComparison.Ordinal))
                t = Verdicts.High("System file deletion", "Deletes a core system file (accounts, sudoers, services), breaking the host.", evidence);
            else if (ShellPaths.IsSystem(n) && (broad || !n.StartsWith("/etc/", StringComparison.Ordinal) || ShellPaths.Depth(n) <= 2))
                t = Verdicts.High("System directory delete", "Deletes operating-system files, breaking the host.", evidence, certain: broad);
            else if (ShellPaths.IsData(n))
                t = Verdicts.High("Data directory delete", "Deletes application or database data under a data directory.", evidence, certain: broad);
            else if (broad && ShellPaths.Depth(n) == 1)
                t = Verdicts.High("Top-level directory delete", "Deletes a whole top-level directory tree.", evidence);
            else if (broad && (n.StartsWith("/home/", StringComparison.Ordinal) || n.StartsWith("/mnt/", StringComparison.Ordinal) || n.StartsWith("/opt/", StringComparison.Ordinal) || n.StartsWith("/media/", StringComparison.Ordinal)) && ShellPaths.Depth(n) == 2)
                t = Verdicts.High("Data directory delete", "Deletes a whole user, application or mounted data directory.", evidence);
            else if (broad && n is "." or ".." or "*" or "~/*" or "../*")
                t = Verdicts.High("Broad recursive delete", "Recursively deletes the whole current or parent directory, whatever it is.", evidence, certain: false);
            else if (recursive && (target.StartsWith('$') && (n.IndexOf('/') < 0 || (glob && n.Count(c => c == '/') == 0))))
                t = Verdicts.High("Unsafe variable path", "Recursively deletes a path built from a variable; if it is empty this becomes the root.", evidence, certain: false);
            v = Verdicts.Worse(v, t)!;
        }
        return v;
    }

    private static StaticVerdict Permissions(string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        var recursive = ShellArgs.HasShort(a, s, 'R') || ShellArgs.HasLong(a, s, "--recursive");
        var operands = new List<string>();
        var options = true;
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (options && w == "--") { options = false; continue; }
            if (options && w.StartsWith("--", StringComparison.Ordinal)) continue;
            if (options && name == "chmod" && w.Length > 1 && w[0] == '-' && w.AsSpan(1).IndexOfAnyExcept("Rvcfh") < 0) continue;
            if (options && name != "chmod" && w.Length > 1 && w[0] == '-') continue;
            operands.Add(w);
        }
        StaticVerdict v = Verdicts.Medium(name == "chmod" ? "Permission change" : "Ownership change", "Changes file permissions or ownership.", evidence);
        if (operands.Count == 0) return v;
        var mode = operands[0];
        if (name == "chmod" && (mode.Contains("+s", StringComparison.Ordinal) || (mode.Length == 4 && mode[0] is '2' or '4' or '6' or '7' && mode.All(char.IsAsciiDigit))))
            v = Verdicts.Worse(v, Verdicts.High("Setuid binary", "Sets the setuid or setgid bit, letting anyone run the file with its owner's privileges.", evidence))!;
        var open = name == "chmod" && (mode.EndsWith("777", StringComparison.Ordinal) || mode.EndsWith("666", StringComparison.Ordinal) || mode.Contains("o+w", StringComparison.Ordinal) || mode.Contains("a+w", StringComparison.Ordinal));
        foreach (var target in operands.Skip(1))
        {
            var n = ShellPaths.Normalize(target, out var glob);
            // Recursive changes of the root, homes and OS trees break the host; of a data tree only when they open it to everyone.
            if ((recursive || glob) && (ShellPaths.IsRoot(n) || ShellPaths.IsHome(n) || ShellPaths.IsSystem(n) || ShellPaths.Depth(n) == 1 || (open && ShellPaths.IsData(n))))
                v = Verdicts.Worse(v, Verdicts.High("Recursive permission change", "Recursively changes permissions or ownership of a system tree, breaking security and the host.", evidence))!;
            else if (ShellPaths.IsRoot(n) || (n.StartsWith("/etc/", StringComparison.Ordinal) && (ShellPaths.IsPersistence(n) || ShellPaths.IsCredential(n))))
                v = Verdicts.Worse(v, Verdicts.High("Security file exposure", "Changes permissions of a security-critical file such as shadow or sudoers.", evidence))!;
            else if (open && ShellPaths.IsSystem(n))
                v = Verdicts.Worse(v, Verdicts.High("World-writable system file", "Makes system files writable by everyone.", evidence, certain: false))!;
        }
        return v;
    }

    private static StaticVerdict Find(ShellContext context, int index, string[] a, int s)
    {
        var evidence = ShellArgs.Join(a, s);
        var start = s + 1 < a.Length && !a[s + 1].StartsWith('-') ? a[s + 1] : ".";
        StaticVerdict v = Low();
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (w is "-delete")
            {
                var remove = Remove(["rm", "-r", start], 0, "rm");
                v = Verdicts.Worse(v, remove.Level == RiskLevel.Medium ? Verdicts.Medium("Find and delete", "Deletes every file find matches.", evidence) : remove)!;
            }
            else if (w is "-exec" or "-execdir" or "-ok" or "-okdir")
            {
                var end = k + 1;
                while (end < a.Length && a[end] is not (";" or "+")) end++;
                var inner = a[(k + 1)..end].Select(x => x == "{}" ? start : x).ToArray();
                if (inner.Length > 0) v = Verdicts.Worse(v, ShellAnalyzer.Analyze(ShellArgs.Quote(inner), context.Depth + 1))!;
                k = end;
            }
            else if (w is "-name" or "-iname" or "-path" or "-wholename" or "-regex" && k + 1 < a.Length && IsKeyPattern(a[k + 1]))
                v = Verdicts.Worse(v, Verdicts.Medium("Key material search", "Searches the filesystem for private keys, certificates or credential files.", evidence))!;
            else if (w is "-perm" && k + 1 < a.Length && (a[k + 1].Contains("4000", StringComparison.Ordinal) || a[k + 1].Contains("u=s", StringComparison.Ordinal)))
                v = Verdicts.Worse(v, Verdicts.Medium("Setuid search", "Lists setuid binaries, a common privilege-escalation reconnaissance step.", evidence))!;
            else if (w is "-fprint" or "-fprintf" or "-fls" && k + 1 < a.Length)
                v = Verdicts.Worse(v, Write(a[k + 1], WriteKind.Truncate, evidence) ?? Verdicts.Medium("File write", "find writes its results to a file.", evidence))!;
        }
        return v;
    }

    private static bool IsKeyPattern(string pattern) =>
        pattern.Contains(".pem", StringComparison.OrdinalIgnoreCase) || pattern.Contains(".key", StringComparison.OrdinalIgnoreCase)
        || pattern.Contains("id_rsa", StringComparison.Ordinal) || pattern.Contains("id_ed25519", StringComparison.Ordinal)
        || pattern.Contains(".p12", StringComparison.OrdinalIgnoreCase) || pattern.Contains(".pfx", StringComparison.OrdinalIgnoreCase)
        || pattern.Contains("credentials", StringComparison.OrdinalIgnoreCase) || pattern.Contains(".kdbx", StringComparison.OrdinalIgnoreCase)
        || pattern.Contains(".env", StringComparison.Ordinal) || pattern.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || pattern.Contains("passw", StringComparison.OrdinalIgnoreCase) || pattern.Contains(".ovpn", StringComparison.OrdinalIgnoreCase);
}
