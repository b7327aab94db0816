using Vigil.Analysis;
using Vigil.Pipeline;

namespace Vigil.Sessions.Terminal;

/// <summary>
/// Starts terminal recordings (<see cref="TerminalRecording"/>) for sessions: an interactive SSH shell, a
/// <c>kubectl exec</c> or <c>attach</c> stream. A session may hold several (each exec stream of a grouped Kubernetes
/// session, each shell channel of an SSH connection); <c>GET /api/sessions/{id}/terminal</c> serves them as asciicast v2.
/// </summary>
public sealed class TerminalRecorder(SessionRecorder recorder, IEnumerable<IResultStage> stages, TerminalOptions options, TimeProvider time)
{
    /// <summary>Columns and rows recorded when the client asked for no terminal size (no pty): 80 by 24.</summary>
    public const int DefaultWidth = 80, DefaultHeight = 24;

    /// <summary>Largest width or height recorded; a larger one is recorded as this.</summary>
    public const int MaxDimension = 10_000;

    /// <summary>Longest <c>TERM</c> recorded, characters.</summary>
    public const int MaxTermLength = 256;

    /// <summary>Longest command recorded in the header, characters.</summary>
    public const int MaxCommandLength = 4096;

    private readonly IResultStage? _masking = stages.FirstOrDefault(s => s.Order == ResultStageOrder.Masking);

    /// <summary>
    /// Starts recording a terminal stream of <paramref name="session"/> now (the header's <c>timestamp</c>).
    /// </summary>
    /// <param name="session">The session the stream belongs to (its connection's masking rules apply to output).</param>
    /// <param name="width">Columns (the pty request's width; 0 or less: <see cref="DefaultWidth"/>).</param>
    /// <param name="height">Rows (0 or less: <see cref="DefaultHeight"/>).</param>
    /// <param name="term">The client's <c>TERM</c> (e.g. <c>xterm-256color</c>), recorded in the header's <c>env</c>; null when unknown.</param>
    /// <param name="command">The command the stream runs (an exec request's command line, <c>sh</c>), the header's <c>command</c>; null for a login shell.</param>
    public TerminalRecording Start(SessionContext session, int width, int height, string? term, string? command = null)
    {
        var id = Guid.NewGuid().ToString();
        recorder.Append(new TerminalStarted(
            session.Id, id, Storage.Rfc3339.Format(time.GetUtcNow()), Dimension(width, DefaultWidth), Dimension(height, DefaultHeight),
            RecordedText.Cap(term, MaxTermLength).Text, RecordedText.Cap(command, MaxCommandLength).Text));
        var mask = _masking?.Open(new Command(session, command ?? "terminal", InputType: InputType.Shell));
        return new TerminalRecording(session.Id, id, recorder, options, time, mask);
    }

    private static int Dimension(int value, int fallback) => value <= 0 ? fallback : Math.Min(value, MaxDimension);
}
