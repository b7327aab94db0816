namespace Vigil.Adapters.Http;

/// <summary>
/// Reads one direction of an upgraded <c>kubectl exec</c>/<c>attach</c> stream as its bytes pass and records its
/// terminal channels (<see cref="ChannelFrameObserver"/> for the channel WebSocket protocols,
/// <see cref="SpdyFrameObserver"/> for SPDY/3.1). It never holds, alters or delays the bytes, and never throws for what
/// it reads: malformed framing stops the observation, never the stream.
/// </summary>
internal interface IExecStreamObserver
{
    /// <summary>Observes <paramref name="data"/>, the next bytes of the direction, in order.</summary>
    void Observe(ReadOnlySpan<byte> data);
}
