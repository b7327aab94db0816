using System.Diagnostics;
using System.Text;

namespace Vigil.Ssh.Tests.Support;

/// <summary>Runs Debian's OpenSSH client programs (ssh, scp, sftp, sshpass, ssh-keygen) as child processes.</summary>
public static class OpenSsh
{
    /// <summary>Options every client run gets: no config file, no host key checks, no agent, quiet.</summary>
    public static string[] CommonOptions(int port) =>
    [
        "-F", "/dev/null",
        "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR",
        "-o", "ConnectTimeout=10",
        "-o", $"Port={port}",
    ];

    /// <summary>ssh with the password "secret" via sshpass and the given method (password or keyboard-interactive).</summary>
    public static string[] PasswordSsh(int port, string method = "password", string password = TestHandler.Password) =>
    [
        "sshpass", "-p", password, "ssh", .. CommonOptions(port),
        "-o", $"PreferredAuthentications={method}", "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
    ];

    /// <summary>ssh authenticating only with <paramref name="identity"/>.</summary>
    public static string[] KeySsh(int port, string identity) =>
    [
        "ssh", .. CommonOptions(port), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey", "-i", identity,
    ];

    /// <summary>Runs a program to completion.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> command, byte[]? stdin = null, TimeSpan? timeout = null, Action<Process>? started = null)
    {
        using var process = Start(command);
        started?.Invoke(process);
        var stdout = new MemoryStream();
        var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} did not finish");
        }

        await readOut;
        return new Result(process.ExitCode, stdout.ToArray(), await readErr);
    }

    /// <summary>Starts a program with redirected stdin/stdout/stderr and no SSH agent.</summary>
    public static Process Start(IEnumerable<string> command)
    {
        var list = command.ToList();
        var info = new ProcessStartInfo(list[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in list.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("SSH_AUTH_SOCK");
        return Process.Start(info)!;
    }

    /// <summary>Generates a key pair with ssh-keygen into <paramref name="directory"/>; returns the private key path.</summary>
    public static async Task<string> KeygenAsync(string directory, string type)
    {
        var path = Path.Combine(directory, $"id_{type}");
        var bits = type == "rsa" ? new[] { "-b", "3072" } : [];
        var result = await RunAsync(["ssh-keygen", "-q", "-t", type, .. bits, "-N", "", "-f", path, "-C", "test"]);
        result.ExitCode.Should().Be(0, result.Stderr);
        return path;
    }

    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string Text => Encoding.UTF8.GetString(Stdout);
    }
}
