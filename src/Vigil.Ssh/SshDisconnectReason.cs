namespace Vigil.Ssh;

/// <summary>Reason codes of SSH_MSG_DISCONNECT (RFC 4253 §11.1).</summary>
public enum SshDisconnectReason : uint
{
    /// <summary>SSH_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT (1).</summary>
    HostNotAllowedToConnect = 1,

    /// <summary>SSH_DISCONNECT_PROTOCOL_ERROR (2): malformed or unexpected message, oversized packet.</summary>
    ProtocolError = 2,

    /// <summary>SSH_DISCONNECT_KEY_EXCHANGE_FAILED (3): no common algorithm, bad key exchange value.</summary>
    KeyExchangeFailed = 3,

    /// <summary>SSH_DISCONNECT_RESERVED (4).</summary>
    Reserved = 4,

    /// <summary>SSH_DISCONNECT_MAC_ERROR (5): a packet failed its MAC or AEAD tag check.</summary>
    MacError = 5,

    /// <summary>SSH_DISCONNECT_COMPRESSION_ERROR (6).</summary>
    CompressionError = 6,

    /// <summary>SSH_DISCONNECT_SERVICE_NOT_AVAILABLE (7): unknown service in SSH_MSG_SERVICE_REQUEST.</summary>
    ServiceNotAvailable = 7,

    /// <summary>SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED (8): not SSH-2.0 (or SSH-1.99).</summary>
    ProtocolVersionNotSupported = 8,

    /// <summary>SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE (9).</summary>
    HostKeyNotVerifiable = 9,

    /// <summary>SSH_DISCONNECT_CONNECTION_LOST (10).</summary>
    ConnectionLost = 10,

    /// <summary>SSH_DISCONNECT_BY_APPLICATION (11): the caller cancelled or closed the connection.</summary>
    ByApplication = 11,

    /// <summary>SSH_DISCONNECT_TOO_MANY_CONNECTIONS (12).</summary>
    TooManyConnections = 12,

    /// <summary>SSH_DISCONNECT_AUTH_CANCELLED_BY_USER (13).</summary>
    AuthCancelledByUser = 13,

    /// <summary>SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE (14): too many failed attempts or auth timeout.</summary>
    NoMoreAuthMethodsAvailable = 14,

    /// <summary>SSH_DISCONNECT_ILLEGAL_USER_NAME (15).</summary>
    IllegalUserName = 15,
}
