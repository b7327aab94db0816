namespace Vigil.Analysis.Static.Shell;

internal static partial class ShellRules
{
    /// <summary>Services whose stopping blinds or unguards the host (firewalls, audit, MAC, logging, EDR agents).</summary>
    private static readonly HashSet<string> SecurityServices = new(StringComparer.Ordinal)
    {
        "auditd", "firewalld", "ufw", "apparmor", "iptables", "ip6tables", "nftables", "netfilter-persistent", "fail2ban", "falcon-sensor",
        "osqueryd", "wazuh-agent", "ossec", "clamav-daemon", "clamd", "aide", "rsyslog", "syslog", "syslog-ng", "systemd-journald",
        "auditbeat", "sentinelone", "sentinel-agent", "cbagentd", "mdatp", "elastic-agent", "crowdstrike", "selinux", "snort", "suricata",
    };

    private static readonly HashSet<string> ServiceReads = new(StringComparer.Ordinal)
    {
        "status", "show", "is-active", "is-enabled", "is-failed", "list-units", "list-unit-files", "list-timers", "list-sockets",
        "list-dependencies", "list-jobs", "cat", "help", "--version", "-a", "--all", "get-default", "show-environment", "list-machines",
    };

    private static StaticVerdict? Systems(ShellContext context, int index, string[] a, int s, string name)
    {
        var evidence = ShellArgs.Join(a, s);
        switch (name)
        {
            case "systemctl":
                {
                    var operands = ShellArgs.Operands(a, s, ["-H", "--host", "-M", "--machine", "-t", "--type", "-p", "--property", "-s", "--signal", "-n", "--lines", "-o", "--output", "--state"]);
                    var verb = operands.Count > 0 ? operands[0] : "list-units";
                    if (ServiceReads.Contains(verb)) return Low();
                    if (verb is "poweroff" or "halt" or "kexec" or "emergency" or "rescue" or "isolate" or "suspend" or "hibernate")
                        return Verdicts.High("Host shutdown", "Powers off or isolates the whole host: every service on it goes down.", evidence);
                    if (verb is "reboot" or "soft-reboot")
                        return Verdicts.High("Host reboot", "Reboots the host: every service on it goes down until it is back.", evidence, certain: false);
                    var services = operands.Skip(1).Select(o => o.EndsWith(".service", StringComparison.Ordinal) ? o[..^8] : o);
                    if (verb is "stop" or "disable" or "mask" or "kill" && services.Any(SecurityServices.Contains))
                        return Verdicts.High("Security service disabled", "Stops or disables a firewall, audit, MAC or logging service, removing a security control.", evidence);
                    if (verb is "edit" && (ShellArgs.HasLong(a, s, "--force") || ShellArgs.HasLong(a, s, "--full")))
                        return Verdicts.High("Service unit creation", "Creates or rewrites a systemd unit that runs as root at every start.", evidence, certain: false);
                    if (verb is "link")
                        return Verdicts.High("Service unit creation", "Links a new unit file into systemd, a persistence step.", evidence, certain: false);
                    return Verdicts.Medium("Service state change", "Starts, stops, restarts or (re)configures a service, disrupting it if misused.", evidence);
                }
            case "service" or "rc-service" or "chkconfig" or "update-rc.d" or "sv":
                {
                    var operands = ShellArgs.Operands(a, s);
                    if (operands.Count == 0 || operands.Any(o => o is "status" or "--status-all" or "list") || ShellArgs.HasLong(a, s, "--status-all")) return Low();
                    var service = operands[0];
                    if (operands.Skip(1).Any(o => o is "stop" or "off" or "disable" or "remove") && SecurityServices.Contains(service))
                        return Verdicts.High("Security service disabled", "Stops or disables a firewall, audit, MAC or logging service, removing a security control.", evidence);
                    return Verdicts.Medium("Service state change", "Starts, stops or restarts a service.", evidence);
                }
            case "reboot" or "shutdown" or "poweroff" or "halt" or "init" or "telinit":
                {
                    if (name == "shutdown" && ShellArgs.HasShort(a, s, 'c')) return Low();
                    if (name is "init" or "telinit" && !a.Skip(s + 1).Any(w => w is "0" or "6" or "1" or "s" or "S")) return Verdicts.Medium("Runlevel change", "Changes the init runlevel.", evidence);
                    var reboot = name == "reboot" || (name == "shutdown" && ShellArgs.HasShort(a, s, 'r')) || a.Skip(s + 1).Contains("6");
                    return reboot
                        ? Verdicts.High("Host reboot", "Reboots the host: every service on it goes down until it is back.", evidence, certain: false)
                        : Verdicts.High("Host shutdown", "Shuts the host down: every service on it stays down until someone powers it on.", evidence);
                }
            case "iptables" or "ip6tables" or "iptables-legacy" or "iptables-nft" or "ip6tables-legacy" or "ip6tables-nft" or "ebtables" or "arptables":
                {
                    if (ShellArgs.HasShort(a, s, 'F') || ShellArgs.HasLong(a, s, "--flush") || ShellArgs.HasShort(a, s, 'X') || ShellArgs.HasLong(a, s, "--delete-chain"))
                        return Verdicts.High("Firewall disabled", "Flushes firewall rules, leaving the host unfiltered.", evidence);
                    var policy = ShellArgs.Value(a, s, 'P', "--policy");
                    if (policy is not null && a.Skip(s + 1).Any(w => w == "ACCEPT"))
                        return Verdicts.High("Firewall disabled", "Sets a firewall chain's default policy to ACCEPT, letting all traffic through.", evidence);
                    if (a.Skip(s + 1).Any(w => w is "-L" or "-S" or "--list" or "--list-rules" || (w.StartsWith('-') && !w.StartsWith("--", StringComparison.Ordinal) && (w.Contains('L', StringComparison.Ordinal) || w.Contains('S', StringComparison.Ordinal)) && !w.Contains('A', StringComparison.Ordinal) && !w.Contains('I', StringComparison.Ordinal) && !w.Contains('D', StringComparison.Ordinal))))
                        return Low();
                    return Verdicts.Medium("Firewall change", "Adds, removes or changes firewall rules.", evidence);
                }
            case "nft":
                {
                    var words = a.Skip(s + 1).ToArray();
                    if (words.Contains("flush") || (words.Contains("delete") && words.Contains("table")))
                        return Verdicts.High("Firewall disabled", "Flushes or deletes nftables rules, leaving the host unfiltered.", evidence);
                    return words.Contains("list") || words.Length == 0 ? Low() : Verdicts.Medium("Firewall change", "Changes nftables firewall rules.", evidence);
                }
            case "ufw":
                {
                    var verb = ShellArgs.Operands(a, s).FirstOrDefault() ?? "";
                    if (verb is "disable" or "reset") return Verdicts.High("Firewall disabled", "Turns the ufw firewall off or resets all its rules.", evidence);
                    return verb is "status" or "show" or "version" or "app" ? Low() : Verdicts.Medium("Firewall change", "Changes ufw firewall rules.", evidence);
                }
            case "firewall-cmd":
                {
                    if (a.Skip(s + 1).Any(w => w.Contains("trusted", StringComparison.Ordinal) || w is "--panic-off" || w.StartsWith("--set-default-zone=trusted", StringComparison.Ordinal)))
                        return Verdicts.High("Firewall disabled", "Moves traffic to the trusted zone, which accepts everything.", evidence);
                    return a.Skip(s + 1).All(w => w.StartsWith("--list", StringComparison.Ordinal) || w.StartsWith("--get", StringComparison.Ordinal) || w.StartsWith("--query", StringComparison.Ordinal) || w is "--state" or "--zone" || !w.StartsWith('-'))
                        ? Low() : Verdicts.Medium("Firewall change", "Changes firewalld rules.", evidence);
                }
            case "setenforce":
                return ShellArgs.Operands(a, s).FirstOrDefault() is "0" or "Permissive" or "permissive"
                    ? Verdicts.High("SELinux disabled", "Switches SELinux to permissive, turning off mandatory access control.", evidence)
                    : Verdicts.Medium("SELinux mode change", "Changes the SELinux enforcement mode.", evidence);
            case "auditctl":
                if (ShellArgs.HasShort(a, s, 'D') || (ShellArgs.Value(a, s, 'e', null) is "0"))
                    return Verdicts.High("Auditing disabled", "Deletes audit rules or disables kernel auditing, blinding security monitoring.", evidence);
                return ShellArgs.HasShort(a, s, 'l') || ShellArgs.HasShort(a, s, 's') ? Low() : Verdicts.Medium("Audit rule change", "Changes kernel audit rules.", evidence);
            case "aa-disable" or "aa-teardown" or "aa-complain" or "apparmor_parser" when name != "apparmor_parser" || ShellArgs.HasShort(a, s, 'R'):
                return Verdicts.High("AppArmor disabled", "Unloads AppArmor profiles or switches them to complain mode, removing confinement.", evidence);
            case "unset":
                return a.Skip(s + 1).Any(w => w is "HISTFILE" or "HISTSIZE" or "HISTFILESIZE")
                    ? Verdicts.High("History disabled", "Unsets the history file so the session leaves no record: an anti-forensics step.", evidence)
                    : Low();
            case "kill" or "pkill" or "killall" or "killall5" or "skill":
                {
                    var operands = ShellArgs.Operands(a, s, ["-s", "-n", "-u", "-U", "-g", "-G", "-P", "-t", "--signal"]);
                    var everything = name == "kill" && (operands.Any(o => o is "1" or "-1") || a.Skip(s + 2).Any(w => w == "-1"));
                    if (name == "killall5" || everything)
                        return Verdicts.High("Kill all processes", "Signals init or every process on the host, taking it down.", evidence);
                    if (operands.Any(o => SecurityServices.Contains(o)))
                        return Verdicts.High("Security service disabled", "Kills a security or logging daemon.", evidence);
                    if (name == "kill" && a.Skip(s + 1).Any(w => w is "-l" or "-L")) return Low();
                    return Verdicts.Medium("Process kill", "Terminates processes, which can interrupt service.", evidence);
                }
            case "apt" or "apt-get" or "aptitude" or "yum" or "dnf" or "zypper" or "apk" or "pacman" or "brew" or "snap" or "flatpak" or "dpkg" or "rpm"
                or "pip" or "pip3" or "pipx" or "npm" or "pnpm" or "yarn" or "gem" or "cargo" or "go" or "conda" or "uv" or "composer":
                {
                    var operands = ShellArgs.Operands(a, s);
                    var verb = operands.FirstOrDefault() ?? "";
                    var reading = verb is "list" or "show" or "search" or "info" or "policy" or "depends" or "rdepends" or "freeze" or "check" or "ls" or "view" or "outdated" or "version" or "--version" or "help" or "env" or "doctor" or "madison" or "why" or "audit" or "config" or "repolist" or "history"
                        || (name == "apt-cache") || (name is "dpkg" && a.Skip(s + 1).Any(w => w is "-l" or "-L" or "-s" or "-S" or "--list" or "--status" or "--get-selections"))
                        || (name is "rpm" && a.Skip(s + 1).Any(w => w.StartsWith("-q", StringComparison.Ordinal)))
                        || (name == "pacman" && a.Skip(s + 1).Any(w => w.StartsWith("-Q", StringComparison.Ordinal)))
                        || (name == "go" && verb is "build" or "test" or "vet" or "fmt" or "doc" or "list" or "mod");
                    if (reading || (operands.Count == 0 && a.Length > s + 1 && a[s + 1] is "--version" or "-V" or "-v")) return Low();
                    return Verdicts.Medium("Software change", "Installs, removes or upgrades software on the host.", evidence);
                }
            case "useradd" or "adduser" or "usermod" or "gpasswd" or "groupadd" or "addgroup" or "userdel" or "deluser" or "groupdel" or "passwd" or "chpasswd" or "chage" or "newusers":
                {
                    var words = a.Skip(s + 1).ToArray();
                    var privileged = words.Any(w => w.Split(',').Any(g => g is "sudo" or "wheel" or "admin" or "root" or "docker" or "lxd" or "disk" or "adm" or "shadow"));
                    if ((privileged && name is "usermod" or "useradd" or "adduser" or "gpasswd") || (name is "useradd" or "usermod" && words.Contains("-o") && words.Contains("0")))
                        return Verdicts.High("Privilege escalation", "Adds an account to an administrative group or gives it uid 0.", evidence);
                    return Verdicts.Medium("Account change", "Creates, changes or removes user accounts or passwords.", evidence);
                }
            case "setcap":
                return Verdicts.High("Capability grant", "Grants Linux capabilities to a binary, a privilege-escalation path.", evidence, certain: false);
            case "sysctl":
                return ShellArgs.HasShort(a, s, 'w') || ShellArgs.HasShort(a, s, 'p') || a.Skip(s + 1).Any(w => w.Contains('=', StringComparison.Ordinal))
                    ? Verdicts.Medium("Kernel setting change", "Changes kernel parameters at runtime.", evidence) : Low();
            case "modprobe" or "insmod" or "rmmod":
                return Verdicts.Medium("Kernel module change", "Loads or unloads kernel modules.", evidence);
            case "mkfifo" or "mknod":
                return Verdicts.Medium("Named pipe", "Creates a named pipe or device node.", evidence);
            case "chattr":
                return Verdicts.Medium("Attribute change", "Changes file attributes such as immutability.", evidence);
            case "swapoff" or "swapon" or "umount" or "fsck" or "e2fsck" or "xfs_repair" or "resize2fs" or "tune2fs" or "lvextend" or "lvcreate":
                return Verdicts.Medium("Storage change", "Changes mounts, swap or filesystems.", evidence);
            case "at" or "batch" or "systemd-run" or "screen" or "tmux" or "nohup" or "disown":
                return name is "at" && ShellArgs.HasShort(a, s, 'l') || name == "tmux" && a.Skip(s + 1).Any(w => w is "ls" or "list-sessions")
                    || name == "screen" && ShellArgs.HasShort(a, s, 'l') || name == "screen" && a.Skip(s + 1).Contains("-ls")
                    ? Low() : Verdicts.Medium("Deferred execution", "Schedules or detaches work that keeps running after the session.", evidence);
        }
        return null;
    }
}
