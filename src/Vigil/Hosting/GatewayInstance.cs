namespace Vigil.Hosting;

/// <summary>
/// This gateway process among the instances that may share a store: a fresh id per start (a GUID string), written as
/// the owner (<c>sessions.gateway_id</c>) of every session it opens and kept alive in <c>gateway_instances</c> by
/// <see cref="Sessions.SessionRecovery"/>.
/// </summary>
public sealed class GatewayInstance
{
    /// <summary>The instance id, new on every start.</summary>
    public string Id { get; } = Guid.NewGuid().ToString();
}
