using System.Collections.Concurrent;

namespace Vigil.Hosting;

/// <summary>
/// Whether the gateway is ready, as <c>GET /healthz</c> reports it: every listener bound (the host has started) and
/// every piece of startup work done, such as registering the <c>--demo</c> connection, so that a client that waited
/// for 200 finds what the README promises. Not ready again once shutdown begins.
/// </summary>
public sealed class Readiness(IHostApplicationLifetime lifetime, GatewayOptions options)
{
    /// <summary>The startup work of <c>--demo</c>: its PostgreSQL started and the <c>demo</c> connection registered.</summary>
    public const string DemoConnection = "demo connection";

    private readonly ConcurrentDictionary<string, bool> _pending = new(
        options.Demo ? [KeyValuePair.Create(DemoConnection, true)] : [], StringComparer.Ordinal);

    /// <summary>Marks <paramref name="work"/> (e.g. <see cref="DemoConnection"/>) done, whether it succeeded or was given up.</summary>
    public void Completed(string work) => _pending.TryRemove(work, out _);

    /// <summary>"ok" when ready, "stopping" during shutdown, else "starting".</summary>
    public string Status =>
        lifetime.ApplicationStopping.IsCancellationRequested ? "stopping"
        : lifetime.ApplicationStarted.IsCancellationRequested && _pending.IsEmpty ? "ok"
        : "starting";

    /// <summary>What startup still waits for: "listeners" until the host has started, then the unfinished work.</summary>
    public IReadOnlyList<string> WaitingFor =>
        [.. lifetime.ApplicationStarted.IsCancellationRequested ? [] : new[] { "listeners" }, .. _pending.Keys.Order(StringComparer.Ordinal)];
}
