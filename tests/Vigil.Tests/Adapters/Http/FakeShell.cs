using System.Text;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The tiny interactive shell of <see cref="FakeKubernetesExec"/>'s <c>sh</c>, whatever carries its channels: it echoes
/// keystrokes (Backspace erases), answers each line with <c>you ran: LINE</c> and a new <c>$ </c> prompt, and ends on
/// <c>exit</c>.
/// </summary>
internal sealed class FakeShell
{
    public const string Prompt = "$ ";

    private readonly StringBuilder _line = new();

    /// <summary>True once <c>exit</c> ran.</summary>
    public bool Exited { get; private set; }

    /// <summary>What the terminal shows for <paramref name="typed"/>, one piece per keystroke, in order.</summary>
    public List<string> Type(ReadOnlySpan<byte> typed)
    {
        var shown = new List<string>();
        foreach (var b in typed)
        {
            if (Exited)
            {
                break;
            }
            if (b == '\r')
            {
                var text = _line.ToString();
                _line.Clear();
                Exited = text == "exit";
                shown.Add(Exited ? "\r\nexit\r\n" : $"\r\nyou ran: {text}\r\n{Prompt}");
            }
            else if (b == 0x7f)
            {
                if (_line.Length > 0)
                {
                    _line.Length--;
                    shown.Add("\b \b");
                }
            }
            else
            {
                _line.Append((char)b);
                shown.Add(((char)b).ToString());
            }
        }
        return shown;
    }
}
