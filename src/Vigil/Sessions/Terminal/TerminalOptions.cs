namespace Vigil.Sessions.Terminal;

/// <summary>
/// Bounds of a terminal recording. Events are coalesced: a block of events is written once it holds
/// <see cref="FlushBytes"/> or <see cref="FlushWindow"/> after its first event, so a busy terminal costs a few rows a
/// second, not one per write. A recording keeps at most <see cref="MaxBytes"/> of asciicast event lines (UTF-8); past
/// that it is marked truncated and only counts the bytes that went by.
/// </summary>
public sealed record TerminalOptions
{
    /// <summary>Default <see cref="MaxBytes"/>: 64 MiB per terminal stream.</summary>
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    /// <summary>Most bytes of asciicast event lines kept per terminal stream (<c>VIGIL_TERMINAL_MAX_BYTES</c>).</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Longest time a recorded event waits before its block is written: 50 ms.</summary>
    public TimeSpan FlushWindow { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A block is written as soon as it holds this many characters of event lines: 16 Ki.</summary>
    public int FlushBytes { get; init; } = 16 * 1024;
}
