namespace Vigil.Adapters.Terminal;

/// <summary>
/// A line the user submitted with Enter in an interactive terminal, reconstructed by <see cref="LineReconstructor"/>;
/// the Enter is held back until the gateway calls <see cref="LineReconstructor.Accept"/> or
/// <see cref="LineReconstructor.Refuse"/>.
/// </summary>
/// <param name="Text">
/// The line as the gateway understands it (a bracketed paste's newlines kept as <c>\n</c>): the edited keystrokes when
/// <paramref name="Certain"/>; otherwise the shell's echo of the line (after the prompt) when there was one, else the
/// keystroke model's guess.
/// </param>
/// <param name="Certain">
/// True when every key of the line has a known effect (printable text, Backspace/DEL, Ctrl-U/W/A/E/K/B/F/D, arrows
/// left/right, Home/End, Delete, bracketed paste) and the shell's echo, when there is one yet, agrees with the result
/// (is a prefix of it: the echo may lag). False after Tab
/// completion, history (Up/Down, Ctrl-P/N, Ctrl-R), yank, transpose, undo, an unknown escape sequence, a line longer
/// than the model keeps, or an echo that differs: <paramref name="Reason"/> says which.
/// </param>
/// <param name="Echo">The shell's echo of the line (the screen after the prompt, trailing blanks removed); null when nothing was echoed.</param>
/// <param name="Reason">Why the line is uncertain (e.g. <c>tab completion</c>, <c>history</c>); null when certain.</param>
/// <param name="AtPrompt">
/// True when the shell's line editor was reading (bracketed paste on: bash 5.1+, zsh), false when it was known off (a
/// program is reading the terminal, e.g. <c>cat</c> or a password prompt), null when the target never said.
/// </param>
/// <remarks>
/// <paramref name="Echo"/> and <paramref name="AtPrompt"/> come from the target's output, which the session itself can
/// shape (a prompt that turns bracketed paste off, a line sent with its Enter before any echo): they are hints for
/// display and review, never a reason to skip analysis.
/// </remarks>
public sealed record SubmittedLine(string Text, bool Certain, string? Echo, string? Reason, bool? AtPrompt);

/// <summary>What <see cref="LineReconstructor.Input"/> or <see cref="LineReconstructor.Accept"/> asks the gateway to do.</summary>
/// <param name="Forward">Bytes to send to the target now (may be empty).</param>
/// <param name="Submitted">
/// A submitted line waiting for a decision (its Enter held back), or null. While one waits, later input is held too.
/// </param>
public readonly record struct LineInput(ReadOnlyMemory<byte> Forward, SubmittedLine? Submitted);

/// <summary>What to do with a refused line (<see cref="LineReconstructor.Refuse"/>).</summary>
/// <param name="ToTarget">Bytes for the target: Ctrl-E then Ctrl-U (end of line, then kill the line back to the prompt); never an Enter.</param>
/// <param name="ToClient">
/// Bytes for the client's terminal: <c>\r\nvigil: blocked: REASON\r\n</c> followed by the prompt as it was on the screen, so
/// the shell's redraw after the kill lands on a prompt line again.
/// </param>
public readonly record struct LineRefusal(ReadOnlyMemory<byte> ToTarget, ReadOnlyMemory<byte> ToClient);
