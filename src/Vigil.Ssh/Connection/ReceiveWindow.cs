namespace Vigil.Ssh.Connection;

/// <summary>
/// A channel's receive window (RFC 4254 §5.2), shared by the streams its data feeds (a client's stdout and stderr
/// count against one window). Data the peer sends takes from it; data the consumer reads is returned to the peer with
/// SSH_MSG_CHANNEL_WINDOW_ADJUST once half the window was read, so the peer never has more than the window buffered
/// here and a consumer that stops reading stops the peer.
/// </summary>
/// <param name="size">The window granted at channel open, in bytes.</param>
/// <param name="adjust">Sends SSH_MSG_CHANNEL_WINDOW_ADJUST for n bytes.</param>
internal sealed class ReceiveWindow(uint size, Func<uint, CancellationToken, ValueTask> adjust)
{
    private long _available = size;
    private long _consumed;
    private long _buffered;

    /// <summary>Bytes received and not yet read by the consumer (at most the window).</summary>
    public long Buffered => Interlocked.Read(ref _buffered);

    /// <summary>Takes <paramref name="bytes"/> for data that arrived; false when the peer exceeded the window (a protocol error).</summary>
    public bool TryTake(int bytes)
    {
        Interlocked.Add(ref _buffered, bytes);
        return Interlocked.Add(ref _available, -bytes) >= 0;
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> as read by the consumer, sending a window adjust when half the window was read. A
    /// connection that ended before the channel was marked closed does not fail the read: the bytes read stand, and the
    /// next read sees the end of input.
    /// </summary>
    public async ValueTask ConsumedAsync(int bytes, CancellationToken cancellationToken)
    {
        try
        {
            await AdjustAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The peer is gone: there is nobody to grant window to.
        }
    }

    private ValueTask AdjustAsync(int bytes, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _buffered, -bytes);
        if (Interlocked.Add(ref _consumed, bytes) < size / 2)
        {
            return ValueTask.CompletedTask;
        }

        var grant = Interlocked.Exchange(ref _consumed, 0);
        if (grant == 0)
        {
            return ValueTask.CompletedTask;
        }

        Interlocked.Add(ref _available, grant);
        return adjust((uint)grant, cancellationToken);
    }
}
