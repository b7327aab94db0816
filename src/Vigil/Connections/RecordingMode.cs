namespace Vigil.Connections;

/// <summary>How a connection's sessions are recorded (the connection field <c>recording</c>).</summary>
public enum RecordingMode
{
    /// <summary>
    /// The default: events are queued and written in batches off the hot path. If the gateway is killed, the last
    /// batch (up to ~20 ms of statements) may be missing; the session then reads <c>interrupted</c>.
    /// </summary>
    Async,
    /// <summary>
    /// A statement is forwarded only after its <c>input</c> event is durable (fsynced, shared with every session that
    /// waits in the same group commit): no statement reaches the target unrecorded, whatever happens to the gateway.
    /// If it cannot be recorded, it is refused.
    /// </summary>
    Strict,
}

/// <summary>Text forms of <see cref="RecordingMode"/>.</summary>
public static class RecordingModes
{
    /// <summary>Every accepted spelling, for error messages.</summary>
    public const string Accepted = "async, strict";

    /// <summary>Parses "async" (also null: the default) or "strict".</summary>
    public static bool TryParse(string? text, out RecordingMode mode)
    {
        mode = text switch
        {
            "async" or null => RecordingMode.Async,
            "strict" => RecordingMode.Strict,
            _ => (RecordingMode)(-1),
        };
        return Enum.IsDefined(mode);
    }

    /// <summary>The API spelling of <paramref name="mode"/>.</summary>
    public static string ToText(this RecordingMode mode) => mode == RecordingMode.Strict ? "strict" : "async";
}
