using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Ssh.Tests.Support;

/// <summary>
/// Debian's sshd on a free loopback port as the target of <see cref="SshClientConnection"/>: host key and client keys
/// made by ssh-keygen in a temporary directory (client keys: ed25519, ecdsa, rsa in OpenSSH format, rsa in PEM), all
/// authorized. As root (CI) logins run as the unprivileged <see cref="RootUser"/>, who also gets
/// <see cref="Password"/>; otherwise as the current user, by key only. <see cref="Scratch"/> is world-writable.
/// </summary>
public sealed class TargetSshd : IAsyncDisposable
{
    public const string RootUser = "vigil-sshc";
    public const string Password = "client-Test-pw-7f3a";

    private readonly Process _process;
    private readonly StringBuilder _log;

    private TargetSshd(Process process, StringBuilder log, string directory, int port, string user, string hostKeyFingerprint)
    {
        _process = process;
        _log = log;
        Directory = directory;
        Port = port;
        User = user;
        HostKeyFingerprint = hostKeyFingerprint;
    }

    public string Directory { get; }

    public int Port { get; }

    public string User { get; }

    /// <summary>The host key's fingerprint as <c>ssh-keygen -lf</c> prints it.</summary>
    public string HostKeyFingerprint { get; }

    /// <summary>True when <see cref="User"/> has <see cref="Password"/> (the tests run as root).</summary>
    public bool PasswordWorks => User == RootUser;

    public string Scratch => Path.Combine(Directory, "scratch");

    /// <summary>
    /// CPU time (utime + stime + cutime + cstime of /proc/PID/stat, 100 ticks per second) of the processes running
    /// under sshd now: its connections and their commands. A connection's time is lost once it exits, so sample this
    /// while a transfer runs (<see cref="SampleCpuAsync"/>).
    /// </summary>
    public TimeSpan ConnectionsCpuTime
    {
        get
        {
            var parents = new Dictionary<int, int>();
            var ticks = new Dictionary<int, long>();
            foreach (var directory in System.IO.Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), out var pid))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[pid] = int.Parse(fields[1]);
                    ticks[pid] = long.Parse(fields[11]) + long.Parse(fields[12]) + long.Parse(fields[13]) + long.Parse(fields[14]);
                }
                catch (IOException)
                {
                    // The process exited while being read.
                }
            }

            long total = 0;
            foreach (var (pid, time) in ticks)
            {
                for (var ancestor = parents[pid]; parents.ContainsKey(ancestor) || ancestor == _process.Id; ancestor = parents[ancestor])
                {
                    if (ancestor == _process.Id)
                    {
                        total += time;
                        break;
                    }
                }
            }

            return TimeSpan.FromSeconds(total / 100.0);
        }
    }

    /// <summary>Samples <see cref="ConnectionsCpuTime"/> every 100 ms until <paramref name="done"/> completes; returns the largest sample.</summary>
    public async Task<TimeSpan> SampleCpuAsync(Task done)
    {
        var most = TimeSpan.Zero;
        while (!done.IsCompleted)
        {
            var sample = ConnectionsCpuTime;
            most = sample > most ? sample : most;
            await Task.WhenAny(done, Task.Delay(100));
        }

        return most;
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>A client private key's file text: <c>ed25519</c>, <c>ecdsa</c>, <c>rsa</c> (OpenSSH format) or <c>rsa-pem</c>.</summary>
    public string ClientKey(string name) => File.ReadAllText(Path.Combine(Directory, "id_" + name));

    public string ClientKeyPath(string name) => Path.Combine(Directory, "id_" + name);

    /// <summary>Options for a key login as <see cref="User"/> with the host key pinned.</summary>
    public SshClientOptions KeyOptions(SshClientKey key) => new() { UserName = User, PrivateKey = key, HostKeyFingerprint = HostKeyFingerprint };

    /// <summary>Starts sshd with one host key of <paramref name="hostKeyType"/> (ed25519, ecdsa or rsa) and <paramref name="extraConfig"/> appended to its config.</summary>
    public static async Task<TargetSshd> StartAsync(string hostKeyType = "ed25519", string extraConfig = "")
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the sshd fixture needs Debian's /usr/sbin/sshd");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("vigil-sshc-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var scratch = System.IO.Directory.CreateDirectory(Path.Combine(directory, "scratch"));
        scratch.UnixFileMode = (UnixFileMode)0b111_111_111;
        var hostKey = Path.Combine(directory, "host_key");
        await KeygenAsync(hostKey, hostKeyType == "rsa" ? ["-t", "rsa", "-b", "3072"] : new[] { "-t", hostKeyType });
        await KeygenAsync(Path.Combine(directory, "id_ed25519"), ["-t", "ed25519"]);
        await KeygenAsync(Path.Combine(directory, "id_ecdsa"), ["-t", "ecdsa", "-b", "256"]);
        await KeygenAsync(Path.Combine(directory, "id_rsa"), ["-t", "rsa", "-b", "3072"]);
        await KeygenAsync(Path.Combine(directory, "id_rsa-pem"), ["-t", "rsa", "-b", "2048", "-m", "PEM"]);
        var authorized = Path.Combine(directory, "authorized_keys");
        await File.WriteAllLinesAsync(authorized, new[] { "ed25519", "ecdsa", "rsa", "rsa-pem" }.Select(k => File.ReadAllText(Path.Combine(directory, $"id_{k}.pub")).Trim()));
        File.SetUnixFileMode(authorized, (UnixFileMode)0b110_100_100);
        var fingerprint = (await OpenSsh.RunAsync(["ssh-keygen", "-lf", hostKey + ".pub"])).Text.Split(' ')[1];

        var root = Environment.UserName == "root";
        var user = root ? RootUser : Environment.UserName;
        if (root)
        {
            if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(RootUser + ":", StringComparison.Ordinal)))
            {
                await OpenSsh.RunAsync(["useradd", "-M", "-d", "/tmp", "-s", "/bin/sh", RootUser]);
            }

            (await OpenSsh.RunAsync(["chpasswd"], Encoding.ASCII.GetBytes($"{RootUser}:{Password}\n"))).ExitCode.Should().Be(0);
            System.IO.Directory.CreateDirectory("/run/sshd");
        }

        var port = FreePort();
        var config = Path.Combine(directory, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {hostKey}
            PidFile {directory}/sshd.pid
            AuthorizedKeysFile {authorized}
            StrictModes no
            UsePAM no
            PubkeyAuthentication yes
            PasswordAuthentication {(root ? "yes" : "no")}
            KbdInteractiveAuthentication no
            PermitRootLogin no
            AllowUsers {user}
            AcceptEnv VIGIL_*
            PrintMotd no
            PrintLastLog no
            Subsystem sftp /usr/lib/openssh/sftp-server
            LogLevel VERBOSE
            {extraConfig}

            """);
        var process = OpenSsh.Start(["/usr/sbin/sshd", "-D", "-e", "-f", config]);
        var log = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("sshd exited"));
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data.Contains("Server listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        var sshd = new TargetSshd(process, log, directory, port, user, fingerprint);
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            var text = sshd.Log;
            await sshd.DisposeAsync();
            throw new InvalidOperationException($"sshd did not start: {text}", ex);
        }

        return sshd;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static async Task KeygenAsync(string path, string[] arguments)
    {
        var result = await OpenSsh.RunAsync(["ssh-keygen", "-q", "-N", "", "-C", "test", "-f", path, .. arguments]);
        result.ExitCode.Should().Be(0, result.Stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
