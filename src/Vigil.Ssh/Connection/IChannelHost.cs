namespace Vigil.Ssh.Connection;

/// <summary>What a channel needs from its connection: sending messages and ending the connection.</summary>
internal interface IChannelHost
{
    /// <summary>Sends a connection-protocol message (waits while a key exchange runs).</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>Sends a message from the read loop: never waits for a key exchange (see <see cref="Transport.SshTransport.SendOrQueueAsync"/>).</summary>
    ValueTask SendFromReadLoopAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>True once the connection is ending (its lifetime token was cancelled).</summary>
    bool IsEnding { get; }

    /// <summary>Ends the connection with SSH_MSG_DISCONNECT carrying <paramref name="error"/>.</summary>
    void Abort(SshProtocolException error);

    /// <summary>Both sides sent SSH_MSG_CHANNEL_CLOSE: the channel number may be reused.</summary>
    void Release(SshSessionChannel channel);
}
