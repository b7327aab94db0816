using System.Collections.Concurrent;
using System.Net;

namespace Vigil.Ssh.Tests.Support;

/// <summary>The library behind a <see cref="SshListener"/> on 127.0.0.1 with a random port, and the <see cref="TestHandler"/>.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private static readonly Lazy<SshHostKey> Ed25519 = new(() => SshHostKey.Generate(SshHostKeyType.Ed25519));
    private static readonly Lazy<SshHostKey> Ecdsa = new(() => SshHostKey.Generate(SshHostKeyType.EcdsaP256));
    private readonly SshListener _listener;

    public TestServer(Action<SshServerOptions>? configure = null)
    {
        Options = new SshServerOptions { AuthFailureDelay = TimeSpan.FromMilliseconds(200) };
        Options.HostKeys.Add(Ed25519.Value);
        Options.HostKeys.Add(Ecdsa.Value);
        configure?.Invoke(Options);
        _listener = new SshListener(new IPEndPoint(IPAddress.Loopback, 0), Options, Handler, (_, error) => Errors.Enqueue(error));
        _listener.Start();
    }

    public SshServerOptions Options { get; }

    public TestHandler Handler { get; } = new();

    /// <summary>Connections that ended with an error (protocol violation, auth failures, ...).</summary>
    public ConcurrentQueue<Exception> Errors { get; } = new();

    public int Port => _listener.LocalEndPoint.Port;

    public static SshHostKey HostKey(SshHostKeyType type) => type == SshHostKeyType.Ed25519 ? Ed25519.Value : Ecdsa.Value;

    /// <summary>Waits until an error was recorded (connections report asynchronously).</summary>
    public async Task<Exception> WaitForErrorAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Errors.TryPeek(out var error))
            {
                return error;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("no connection error was recorded");
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
