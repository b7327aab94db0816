using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Adapters.Ssh.Server;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// Debian's OpenSSH client (<c>ssh</c>, <c>sftp</c>, <c>scp</c>) pointed at the gateway's native SSH listener, logging in
/// as a connection's name with a Vigil token as the password (fed by <c>sshpass -e</c>).
/// </summary>
internal sealed class NativeSshClient(GatewayFixture gateway, string token = GatewayFixture.Token)
{
    public int Port => gateway.App.Services.GetRequiredService<SshGatewayListener>().Endpoint!.Port;

    private static readonly string[] Options =
    [
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "ConnectTimeout=20",
    ];

    private Dictionary<string, string> Environment => new() { ["SSHPASS"] = token, ["TERM"] = "xterm" };

    /// <summary><c>ssh -p PORT CONNECTION@127.0.0.1 COMMAND</c>.</summary>
    public Task<Processes.Result> ExecAsync(string connection, string command, string? stdin = null) =>
        Processes.RunAsync("sshpass", ["-e", "ssh", "-p", Port.ToString(), .. Options, $"{connection}@127.0.0.1", command], Environment, stdin, TimeSpan.FromSeconds(60));

    /// <summary>
    /// <c>sftp</c> against the connection with <paramref name="commands"/> on its stdin (not <c>-b</c>, which turns on
    /// BatchMode and with it off password authentication).
    /// </summary>
    public Task<Processes.Result> SftpAsync(string connection, string commands) =>
        Processes.RunAsync("sshpass", ["-e", "sftp", "-P", Port.ToString(), .. Options, $"{connection}@127.0.0.1"], Environment, commands, TimeSpan.FromSeconds(60));

    /// <summary>
    /// <c>ssh -tt CONNECTION@127.0.0.1</c> with <paramref name="stdin"/> piped in: a shell on a pty whose input ends at
    /// once, as in <c>printf 'cmd\nexit 3\n' | ssh -tt host</c>.
    /// </summary>
    public Task<Processes.Result> PipedShellAsync(string connection, string stdin) =>
        Processes.RunAsync("sshpass", ["-e", "ssh", "-tt", "-p", Port.ToString(), .. Options, $"{connection}@127.0.0.1"], Environment, stdin, TimeSpan.FromSeconds(60));

    /// <summary><c>ssh -i KEY</c>: public key login only (RFC 4252 §7).</summary>
    public static Task<Processes.Result> ExecWithKeyAsync(int port, string keyFile, string connection, string command) =>
        Processes.RunAsync("ssh", [
            "-p", port.ToString(), "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", $"{connection}@127.0.0.1", command,
        ], null, null, TimeSpan.FromSeconds(60));

    /// <summary><c>scp LOCAL CONNECTION@127.0.0.1:REMOTE</c>.</summary>
    public Task<Processes.Result> ScpAsync(string connection, string local, string remote) =>
        Processes.RunAsync("sshpass", ["-e", "scp", "-P", Port.ToString(), .. Options, local, $"{connection}@127.0.0.1:{remote}"], Environment, null, TimeSpan.FromSeconds(60));

    /// <summary>An interactive <c>ssh -tt</c> session: keystrokes written to its stdin, the terminal's output collected.</summary>
    public Terminal OpenTerminal(string connection)
    {
        var start = new ProcessStartInfo("sshpass")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in (string[])["-e", "ssh", "-tt", "-p", Port.ToString(), .. Options, $"{connection}@127.0.0.1"])
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }
        return new Terminal(Process.Start(start)!);
    }

    internal sealed class Terminal : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly Task _reader;
        private bool _disposed;

        public Terminal(Process process)
        {
            _process = process;
            _reader = Task.Run(async () =>
            {
                var buffer = new char[4096];
                int read;
                while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
                {
                    lock (_output)
                    {
                        _output.Append(buffer, 0, read);
                    }
                }
            });
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>Types <paramref name="keys"/> (use \r for Enter, as a terminal sends it).</summary>
        public async Task TypeAsync(string keys)
        {
            await _process.StandardInput.WriteAsync(keys);
            await _process.StandardInput.FlushAsync();
        }

        /// <summary>Waits until the output matches <paramref name="pattern"/>.</summary>
        public async Task WaitForAsync(string pattern, TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
            while (!Regex.IsMatch(Output, pattern))
            {
                if (DateTime.UtcNow > deadline || _process.HasExited && _reader.IsCompleted && !Regex.IsMatch(Output, pattern))
                {
                    throw new TimeoutException($"no /{pattern}/ in the terminal; it shows:\n{Output}\nstderr: {(_process.HasExited ? _process.StandardError.ReadToEnd() : "")}");
                }
                await Task.Delay(50);
            }
        }

        /// <summary>Waits for ssh to exit and returns its exit code.</summary>
        public async Task<int> ExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            await _reader;
            return _process.ExitCode;
        }

        /// <summary>Kills ssh (as a client that vanishes would end); later calls do nothing.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }
}
