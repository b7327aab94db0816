namespace Vigil.Ssh.Connection;

/// <summary>
/// The peer's receive window for a channel (RFC 4254 §5.2): how much data we may still send. Writers wait here for
/// SSH_MSG_CHANNEL_WINDOW_ADJUST; each send is also bounded by the peer's maximum packet size.
/// </summary>
internal sealed class SendWindow
{
    private readonly Lock _lock = new();
    private readonly uint _maxPacket;
    private long _window;
    private bool _closed;
    private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the window the peer granted at channel open.</summary>
    /// <param name="initial">The peer's initial window size in bytes.</param>
    /// <param name="maxPacket">The peer's maximum packet size; clamped to 1..32768 (the size RFC 4253 §6.1 guarantees).</param>
    public SendWindow(uint initial, uint maxPacket)
    {
        _window = initial;
        _maxPacket = Math.Clamp(maxPacket, 1, 32768);
    }

    /// <summary>Adds the bytes of a window adjust; false when the window would pass 2^32-1 (a protocol error, RFC 4254 §5.2).</summary>
    public bool TryAdd(uint bytes)
    {
        lock (_lock)
        {
            _window += bytes;
            _opened.TrySetResult();
            return _window <= uint.MaxValue;
        }
    }

    /// <summary>The channel closed: waiting writers wake up and get 0.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _opened.TrySetResult();
        }
    }

    /// <summary>Waits for window and takes up to <paramref name="wanted"/> bytes of it (at most one packet's worth).</summary>
    /// <returns>The bytes that may be sent now; 0 once the channel is closed.</returns>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public async ValueTask<int> TakeAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_closed)
                {
                    return 0;
                }

                var chunk = (int)Math.Min(Math.Min(_window, _maxPacket), wanted);
                if (chunk > 0)
                {
                    _window -= chunk;
                    return chunk;
                }

                if (_opened.Task.IsCompleted)
                {
                    _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                wait = _opened.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
