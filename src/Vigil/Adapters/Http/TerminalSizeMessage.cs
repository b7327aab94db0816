using System.Text.Json;
using Vigil.Sessions.Terminal;

namespace Vigil.Adapters.Http;

/// <summary>
/// A Kubernetes remote-command resize message, <c>{"Width":W,"Height":H}</c> in columns and rows
/// (k8s.io/client-go remotecommand <c>TerminalSize</c>), as the resize channel or stream carries it.
/// </summary>
internal static class TerminalSizeMessage
{
    /// <summary>The longest message kept: anything longer is not a size.</summary>
    public const int MaxLength = 256;

    /// <summary>Records <paramref name="json"/> as a resize when it is a size with both dimensions positive; else nothing.</summary>
    public static void Record(TerminalRecording recording, ReadOnlySpan<byte> json)
    {
        try
        {
            var size = JsonSerializer.Deserialize<TerminalSize>(json);
            if (size is { Width: > 0, Height: > 0 })
            {
                recording.Resize(size.Width, size.Height);
            }
        }
        catch (JsonException)
        {
            // Not a size: nothing to record.
        }
    }

    private sealed record TerminalSize(int Width, int Height);
}
