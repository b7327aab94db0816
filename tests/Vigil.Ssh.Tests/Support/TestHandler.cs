using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Vigil.Ssh.Tests.Support;

/// <summary>
/// The server application the tests run behind the library: password "secret" for any user but "nobody", the keys
/// in <see cref="AuthorizedKeys"/>, a shell that echoes lines (exit ends it), a few exec commands, and sftp through
/// OpenSSH's sftp-server.
/// </summary>
public sealed class TestHandler : ISshServerHandler
{
    public const string Password = "secret";

    public ConcurrentBag<string> AuthorizedKeys { get; } = [];

    /// <summary>What happened, in order per session ("exec:echo hi", "window-change:120x40", "cancelled:sleep", ...).</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Connections seen by sessions (one entry per session).</summary>
    public ConcurrentQueue<SshConnectionInfo> Sessions { get; } = new();

    /// <summary>Completed when a session handler returned after its token was cancelled.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a write gave up waiting for window.</summary>
    public TaskCompletionSource WriteGaveUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask<object?> AuthenticatePasswordAsync(SshAuthContext context, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult<object?>(context.UserName != "nobody" && password == Password ? $"user:{context.UserName}:{context.Method}" : null);

    public ValueTask<object?> AuthenticatePublicKeyAsync(SshAuthContext context, SshPublicKey key, bool signatureVerified, CancellationToken cancellationToken) =>
        ValueTask.FromResult<object?>(AuthorizedKeys.Contains(key.OpenSshLine) ? $"key:{context.UserName}:{key.KeyType}" : null);

    public async Task OpenSessionAsync(SshConnectionInfo connection, SshSessionChannel channel, CancellationToken cancellationToken)
    {
        Sessions.Enqueue(connection);
        await foreach (var request in channel.Requests.ReadAllAsync(cancellationToken))
        {
            switch (request)
            {
                case SshPtyRequest pty:
                    Events.Enqueue($"pty:{pty.Term}:{pty.Columns}x{pty.Rows}");
                    break;
                case SshEnvRequest env:
                    Events.Enqueue($"env:{env.Name}={env.Value}");
                    break;
                case SshShellRequest:
                    Events.Enqueue("shell");
                    await ShellAsync(channel, cancellationToken);
                    return;
                case SshExecRequest exec:
                    Events.Enqueue($"exec:{exec.Command}");
                    await ExecAsync(connection, channel, exec.Command, cancellationToken);
                    return;
                case SshSubsystemRequest { Name: "sftp" }:
                    Events.Enqueue("subsystem:sftp");
                    await SftpAsync(channel, cancellationToken);
                    return;
                case SshSubsystemRequest other:
                    await channel.WriteErrorAsync(Encoding.UTF8.GetBytes($"no subsystem {other.Name}\n"), cancellationToken);
                    await channel.SendExitStatusAsync(1, cancellationToken);
                    return;
            }
        }
    }

    private static async Task ShellAsync(SshSessionChannel channel, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await channel.Input.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                await channel.SendExitStatusAsync(0, cancellationToken);
                return;
            }

            foreach (var b in buffer[..read])
            {
                if (b is (byte)'\r' or (byte)'\n')
                {
                    var text = line.ToString();
                    line.Clear();
                    await channel.WriteAsync(Encoding.UTF8.GetBytes($"\r\nyou said: {text}\r\n"), cancellationToken);
                    if (text.StartsWith("exit", StringComparison.Ordinal))
                    {
                        await channel.SendExitStatusAsync(text.Length > 5 ? uint.Parse(text[5..]) : 0, cancellationToken);
                        return;
                    }
                }
                else
                {
                    line.Append((char)b);
                    await channel.WriteAsync(new[] { b }, cancellationToken);
                }
            }
        }
    }

    private async Task ExecAsync(SshConnectionInfo connection, SshSessionChannel channel, string command, CancellationToken cancellationToken)
    {
        var (verb, argument) = command.IndexOf(' ') is var space and > 0 ? (command[..space], command[(space + 1)..]) : (command, "");
        uint status = 0;
        switch (verb)
        {
            case "echo":
                await channel.WriteAsync(Encoding.UTF8.GetBytes(argument + "\n"), cancellationToken);
                break;
            case "exit":
                status = uint.Parse(argument);
                break;
            case "stderr":
                await channel.WriteErrorAsync(Encoding.UTF8.GetBytes(argument + "\n"), cancellationToken);
                status = 3;
                break;
            case "whoami":
                await channel.WriteAsync(Encoding.UTF8.GetBytes($"{connection.Principal}\n"), cancellationToken);
                break;
            case "info":
                var a = connection.Algorithms;
                await channel.WriteAsync(Encoding.UTF8.GetBytes($"{a.KeyExchange} {a.HostKey} {a.CipherClientToServer} {a.CipherServerToClient} {a.MacClientToServer} {a.MacServerToClient} strict={connection.StrictKex} kex={connection.KeyExchangeCount}\n"), cancellationToken);
                break;
            case "killed":
                await channel.SendExitSignalAsync("KILL", false, "killed by the test");
                Events.Enqueue($"kex-count:{connection.KeyExchangeCount}");
                return;
            case "pause":
                await Task.Delay(int.Parse(argument), cancellationToken);
                break;
            case "emit":
                await EmitAsync(channel, long.Parse(argument), cancellationToken);
                break;
            case "sha256":
                await channel.WriteAsync(Encoding.UTF8.GetBytes(await HashInputAsync(channel, cancellationToken) + "\n"), cancellationToken);
                break;
            case "winch":
                // Each window-change is answered; the command ends once none has come for a second, since one resize of
                // a terminal can arrive as two (stty sets columns and rows one after the other, each a SIGWINCH).
                using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    try
                    {
                        await foreach (var request in channel.Requests.ReadAllAsync(quiet.Token))
                        {
                            if (request is SshSignalRequest signal)
                            {
                                Events.Enqueue($"signal:{signal.Signal}");
                            }

                            if (request is SshWindowChangeRequest resize)
                            {
                                Events.Enqueue($"window-change:{resize.Columns}x{resize.Rows}");
                                await channel.WriteAsync(Encoding.UTF8.GetBytes($"resized {resize.Columns}x{resize.Rows} pty {channel.Pty?.Columns}x{channel.Pty?.Rows}\r\n"), cancellationToken);
                                quiet.CancelAfter(TimeSpan.FromSeconds(1));
                            }
                        }
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                    }
                }

                break;
            case "sleep":
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Events.Enqueue("cancelled:sleep");
                    Cancelled.TrySetResult();
                    throw;
                }

                break;

            case "flood":
                var chunk = new byte[32768];
                while (true)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(2));
                    try
                    {
                        await channel.WriteAsync(chunk, timeout.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        Events.Enqueue("write-gave-up");
                        WriteGaveUp.TrySetResult();
                        throw;
                    }
                }

            default:
                await channel.WriteErrorAsync(Encoding.UTF8.GetBytes($"unknown command {verb}\n"), cancellationToken);
                status = 127;
                break;
        }

        Events.Enqueue($"kex-count:{connection.KeyExchangeCount}");
        await channel.SendExitStatusAsync(status, cancellationToken);
    }

    /// <summary>Writes <paramref name="count"/> bytes of a fixed pattern (byte i = i % 251).</summary>
    private static async Task EmitAsync(SshSessionChannel channel, long count, CancellationToken cancellationToken)
    {
        var block = Pattern(64 * 1024);
        for (var sent = 0L; sent < count;)
        {
            var n = (int)Math.Min(block.Length, count - sent);
            await channel.WriteAsync(block.AsMemory(0, n), cancellationToken);
            sent += n;
        }
    }

    public static byte[] Pattern(int length)
    {
        var block = new byte[length];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i % 251);
        }

        return block;
    }

    private static async Task<string> HashInputAsync(SshSessionChannel channel, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await channel.Input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            total += read;
        }

        return $"{Convert.ToHexStringLower(sha.GetHashAndReset())} {total}";
    }

    /// <summary>The sftp subsystem: OpenSSH's sftp-server as a child process, its stdin/stdout piped to the channel.</summary>
    private static async Task SftpAsync(SshSessionChannel channel, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/lib/openssh/sftp-server")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            var toServer = Task.Run(async () =>
            {
                await channel.Input.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
                process.StandardInput.Close();
            }, cancellationToken);
            await process.StandardOutput.BaseStream.CopyToAsync(channel.Output, cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await channel.SendExitStatusAsync((uint)process.ExitCode, cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
