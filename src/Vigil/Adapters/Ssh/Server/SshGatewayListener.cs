using System.Net;
using Vigil.Hosting;
using Vigil.Ssh;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// The native SSH listener (<c>--ssh-listen</c>, <c>VIGIL_SSH_LISTEN</c>; default 127.0.0.1:2222; <c>off</c> disables
/// it). Its host key (ssh-ed25519) is generated into <c>DATA/ssh/ssh_host_ed25519_key</c> on first start and reused, so
/// clients' <c>known_hosts</c> entries stay valid across restarts. Clients log in as the connection's name
/// (<c>ssh -p 2222 CONNECTION@gateway</c>); <see cref="SshGatewayHandler"/> does the rest.
/// </summary>
public sealed partial class SshGatewayListener(GatewayOptions options, SshGatewayHandler handler, ILogger<SshGatewayListener> logger) : IHostedService
{
    private SshListener? _listener;

    /// <summary>The bound address (with the actual port when the configured one is 0); null when disabled.</summary>
    public IPEndPoint? Endpoint => _listener?.LocalEndPoint;

    /// <summary>The host key's fingerprint in OpenSSH's form (<c>SHA256:…</c>), what <c>ssh</c> shows on first connect; null when disabled.</summary>
    public string? HostKeyFingerprint { get; private set; }

    /// <summary>The host key as a <c>known_hosts</c> key field (<c>ssh-ed25519 AAAA…</c>); null when disabled.</summary>
    public string? HostPublicKey { get; private set; }

    /// <summary>True when <paramref name="listen"/> turns the listener off (<c>off</c> or empty).</summary>
    public static bool IsDisabled(string? listen) => string.IsNullOrWhiteSpace(listen) || listen.Equals("off", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsDisabled(options.SshListen))
        {
            return Task.CompletedTask;
        }
        var directory = Path.Combine(options.DataDirectory, "ssh");
        DataDirectory.Prepare(directory);
        var hostKey = SshHostKey.LoadOrGenerate(Path.Combine(directory, "ssh_host_ed25519_key"));
        HostKeyFingerprint = hostKey.Fingerprint;
        HostPublicKey = hostKey.OpenSshPublicKey;
        var server = new SshServerOptions { SoftwareVersion = "Vigil" };
        server.HostKeys.Add(hostKey);
        _listener = new SshListener(GatewayOptions.ParseEndpoint(options.SshListen), server, handler,
            (remote, e) => LogConnectionFailed(logger, remote?.ToString(), e.Message));
        _listener.Start();
        LogListening(logger, _listener.LocalEndPoint.ToString(), hostKey.Fingerprint);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "SSH listener on {Endpoint}, host key {Fingerprint}")]
    private static partial void LogListening(ILogger logger, string endpoint, string fingerprint);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "SSH connection from {Remote} ended with an error: {Error}")]
    private static partial void LogConnectionFailed(ILogger logger, string? remote, string error);
}
