using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Demo;

/// <summary>
/// A throwaway OpenSSH server (Debian's <c>/usr/sbin/sshd</c>) for <c>vigil serve --demo</c> and the tests: its own
/// config, host keys (ed25519, ecdsa) and an ed25519 client key in <see cref="Directory"/> (kept when they exist), on
/// 127.0.0.1 and a free port, in the foreground (<c>sshd -D -e -f CONFIG</c>), accepting only the generated client
/// key (plus keys added with <see cref="AuthorizeAsync"/>) and, when one is given and the process runs as root, a
/// password. As root it logs users in as <see cref="RootUser"/> (created with <c>useradd</c>, home <c>/tmp</c>, no
/// root login), so commands run through it cannot touch the machine as root; otherwise as the current user.
/// </summary>
public sealed class LocalSshd : IAsyncDisposable
{
    /// <summary>Where Debian installs the server.</summary>
    public const string SshdPath = "/usr/sbin/sshd";

    /// <summary>The unprivileged login user created when the gateway or the tests run as root.</summary>
    public const string RootUser = "vigil-ssh";

    private readonly Process _process;
    private readonly StringBuilder _log;

    private readonly string _authorizedKeys;

    private LocalSshd(Process process, StringBuilder log, string directory, int port, string user, string? password, string authorizedKeys)
    {
        _authorizedKeys = authorizedKeys;
        _process = process;
        _log = log;
        Directory = directory;
        Port = port;
        User = user;
        Password = password;
    }

    /// <summary>True when <see cref="SshdPath"/> exists.</summary>
    public static bool IsInstalled => File.Exists(SshdPath);

    /// <summary>The directory with the config, keys and <c>authorized_keys</c>.</summary>
    public string Directory { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The user to log in as.</summary>
    public string User { get; }

    /// <summary>The user's password when password logins work (root only), else null.</summary>
    public string? Password { get; }

    /// <summary>The client private key sshd accepts (OpenSSH ed25519, unencrypted).</summary>
    public string ClientPrivateKey => File.ReadAllText(Path.Combine(Directory, "client_ed25519"));

    /// <summary>The server's ed25519 host key as a public key line (<c>ssh-ed25519 AAAA… comment</c>).</summary>
    public string HostKeyLine => File.ReadAllText(Path.Combine(Directory, "host_ed25519.pub")).Trim();

    /// <summary>The server's ecdsa host key as a public key line.</summary>
    public string EcdsaHostKeyLine => File.ReadAllText(Path.Combine(Directory, "host_ecdsa.pub")).Trim();

    /// <summary>What sshd logged so far (its stderr), for diagnostics.</summary>
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

    /// <summary>Generates what is missing in <paramref name="directory"/>, starts sshd and waits until it listens.</summary>
    /// <param name="directory">Holds keys, config and logs; created when missing.</param>
    /// <param name="password">A password to set for <see cref="RootUser"/> when running as root; ignored otherwise.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="sftpSubsystem">Whether sshd names an <c>sftp</c> subsystem (<c>internal-sftp</c>); true by default.</param>
    /// <exception cref="InvalidOperationException">sshd is not installed, a tool failed, or sshd did not start (its log is included).</exception>
    public static async Task<LocalSshd> StartAsync(string directory, string? password, CancellationToken cancellationToken, bool sftpSubsystem = true)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"{SshdPath} not found (install the openssh-server package)");
        }
        var dir = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(dir);
        foreach (var (file, type) in new[] { ("host_ed25519", "ed25519"), ("host_ecdsa", "ecdsa"), ("client_ed25519", "ed25519") })
        {
            if (!File.Exists(Path.Combine(dir, file)))
            {
                await RunAsync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", $"vigil-{file}", "-f", Path.Combine(dir, file)], null, cancellationToken);
            }
        }
        var root = Environment.UserName == "root";
        string user;
        var port = FreePort();
        var authorized = Path.Combine(dir, "authorized_keys");
        if (root)
        {
            user = RootUser;
            await EnsureUserAsync(password, cancellationToken);
            // sshd as root separates privileges and needs its empty chroot directory. It reads authorized_keys as the
            // login user, who cannot enter a data directory private to root: the list lives in a directory of its own.
            System.IO.Directory.CreateDirectory("/run/sshd");
            var shared = System.IO.Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"vigil-sshd-{port}-{Guid.NewGuid():N}"));
            // Explicit modes: a gateway started under umask 077 must still let the login user in.
            if (!OperatingSystem.IsWindows())
            {
                shared.UnixFileMode = (UnixFileMode)0b111_101_101;
            }
            authorized = Path.Combine(shared.FullName, "authorized_keys");
        }
        else
        {
            user = Environment.UserName;
            password = null;
        }
        // Rewritten on every start: only the generated client key, plus what the owner adds while it runs.
        await File.WriteAllTextAsync(authorized, await File.ReadAllTextAsync(Path.Combine(dir, "client_ed25519.pub"), cancellationToken), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(authorized, (UnixFileMode)0b110_100_100);
        }
        var config = Path.Combine(dir, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {dir}/host_ed25519
            HostKey {dir}/host_ecdsa
            PidFile {dir}/sshd.pid
            AuthorizedKeysFile {authorized}
            StrictModes no
            UsePAM no
            PubkeyAuthentication yes
            PasswordAuthentication {(password is null ? "no" : "yes")}
            KbdInteractiveAuthentication no
            PermitRootLogin no
            AllowUsers {user}
            PrintMotd no
            PrintLastLog no
            {(sftpSubsystem ? "Subsystem sftp internal-sftp" : "")}
            LogLevel VERBOSE

            """, cancellationToken);
        var start = new ProcessStartInfo(SshdPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in new[] { "-D", "-e", "-f", config })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {SshdPath}");
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
                // Keep the start and the recent past: the log of a long test run must not grow without bound.
                if (log.Length > 64 * 1024)
                {
                    log.Remove(0, 32 * 1024);
                }
                log.AppendLine(e.Data);
            }
            if (e.Data.Contains("Server listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var sshd = new LocalSshd(process, log, dir, port, user, password, authorized);
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            return sshd;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            await sshd.DisposeAsync();
            throw new InvalidOperationException($"sshd did not start: {sshd.Log}", e);
        }
    }

    /// <summary>Adds <paramref name="publicKeyLine"/> (an <c>authorized_keys</c> line) to the keys sshd accepts.</summary>
    public Task AuthorizeAsync(string publicKeyLine, CancellationToken cancellationToken) =>
        File.AppendAllTextAsync(_authorizedKeys, publicKeyLine.Trim() + "\n", cancellationToken);

    /// <summary>Stops sshd (its sessions end with it). The directory stays.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _process.Dispose();
        if (Path.GetDirectoryName(_authorizedKeys) is { } keys && keys != Directory)
        {
            System.IO.Directory.Delete(keys, recursive: true);
        }
    }

    /// <summary>Creates <see cref="RootUser"/> unless it exists, and sets <paramref name="password"/> when given.</summary>
    private static async Task EnsureUserAsync(string? password, CancellationToken cancellationToken)
    {
        if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(RootUser + ":", StringComparison.Ordinal)))
        {
            try
            {
                await RunAsync("useradd", ["-M", "-d", "/tmp", "-s", "/bin/sh", RootUser], null, cancellationToken);
            }
            catch (InvalidOperationException) when (File.ReadLines("/etc/passwd").Any(l => l.StartsWith(RootUser + ":", StringComparison.Ordinal)))
            {
                // Another process created it at the same moment.
            }
        }
        if (password is not null)
        {
            await RunAsync("chpasswd", [], $"{RootUser}:{password}\n", cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            // Never echo stdin: it may be a password.
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
