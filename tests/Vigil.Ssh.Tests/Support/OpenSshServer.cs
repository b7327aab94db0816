using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Ssh.Tests.Support;

/// <summary>Debian's sshd on a random port with a throwaway config, as the baseline for throughput numbers. Needs root; <see cref="TryStartAsync"/> returns null otherwise.</summary>
public sealed class OpenSshServer : IDisposable
{
    private readonly Process _process;

    private OpenSshServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<OpenSshServer?> TryStartAsync(string directory, string authorizedKey)
    {
        if (!File.Exists("/usr/sbin/sshd") || Environment.UserName != "root")
        {
            return null;
        }

        var hostKey = await OpenSsh.KeygenAsync(Path.Combine(directory), "ed25519").ContinueWith(t => t.Result);
        var serverKey = Path.Combine(directory, "sshd_host_key");
        File.Move(hostKey, serverKey);
        var authorized = Path.Combine(directory, "authorized_keys");
        await File.WriteAllTextAsync(authorized, authorizedKey);
        var port = FreePort();
        var config = Path.Combine(directory, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {serverKey}
            AuthorizedKeysFile {authorized}
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PidFile none
            PermitRootLogin yes
            """);
        Directory.CreateDirectory("/run/sshd");
        var process = OpenSsh.Start(["/usr/sbin/sshd", "-D", "-e", "-f", config]);
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new OpenSshServer(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        process.Kill();
        return null;
    }

    public void Dispose()
    {
        _process.Kill();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
