namespace Vigil.Analysis.Static.Shell;

/// <summary>Small helpers over an argv slice (<c>a[s]</c> is the command name), following the POSIX utility
/// argument syntax (XBD §12.2: clustered short options, <c>--</c> ends options) plus GNU long options.</summary>
internal static class ShellArgs
{
    /// <summary>The command name without a directory (<c>/usr/bin/rm</c> → <c>rm</c>).</summary>
    internal static string Base(string word)
    {
        var slash = word.LastIndexOf('/');
        return slash < 0 || slash == word.Length - 1 ? word : word[(slash + 1)..];
    }

    /// <summary>True when a short-option cluster before <c>--</c> contains <paramref name="flag"/> (<c>-rf</c> has <c>f</c>).</summary>
    internal static bool HasShort(string[] a, int s, char flag)
    {
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (w == "--") return false;
            if (w.Length > 1 && w[0] == '-' && w[1] != '-' && w.AsSpan(1).IndexOf(flag) >= 0) return true;
        }
        return false;
    }

    /// <summary>True when <paramref name="option"/> appears before <c>--</c>, alone or as <c>--option=value</c>.</summary>
    internal static bool HasLong(string[] a, int s, string option)
    {
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (w == "--") return false;
            if (w == option || (w.StartsWith(option, StringComparison.Ordinal) && w.Length > option.Length && w[option.Length] == '=')) return true;
        }
        return false;
    }

    /// <summary>True when any word after the name equals <paramref name="word"/>.</summary>
    internal static bool Has(string[] a, int s, string word)
    {
        for (var k = s + 1; k < a.Length; k++) if (a[k] == word) return true;
        return false;
    }

    /// <summary>The value of <c>-x V</c>, <c>-xV</c>, <c>--long V</c> or <c>--long=V</c>; null when absent.</summary>
    internal static string? Value(string[] a, int s, char? shortName, string? longName)
    {
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (w == "--") return null;
            if (longName is not null && w.StartsWith(longName, StringComparison.Ordinal))
            {
                if (w.Length == longName.Length) return k + 1 < a.Length ? a[k + 1] : "";
                if (w[longName.Length] == '=') return w[(longName.Length + 1)..];
            }
            if (shortName is { } c && w.Length >= 2 && w[0] == '-' && w[1] == c)
                return w.Length > 2 ? w[2..] : k + 1 < a.Length ? a[k + 1] : "";
        }
        return null;
    }

    /// <summary>Arguments that are not options, skipping the values of <paramref name="valued"/> options.</summary>
    internal static List<string> Operands(string[] a, int s, ReadOnlySpan<string> valued = default)
    {
        var result = new List<string>();
        var options = true;
        for (var k = s + 1; k < a.Length; k++)
        {
            var w = a[k];
            if (options && w == "--") { options = false; continue; }
            if (options && w.Length > 1 && w[0] == '-')
            {
                foreach (var v in valued) if (w == v) { k++; break; }
                continue;
            }
            result.Add(w);
        }
        return result;
    }

    /// <summary>The argv from <paramref name="s"/> joined with spaces, for evidence.</summary>
    internal static string Join(string[] a, int s, int max = 8)
    {
        var end = Math.Min(a.Length, s + max);
        var text = string.Join(' ', a, s, end - s);
        return end < a.Length ? text + " …" : text;
    }

    /// <summary>Quotes argv words so the shell parser reads them back as the same words.</summary>
    internal static string Quote(IReadOnlyList<string> argv, int from = 0)
    {
        var sb = new System.Text.StringBuilder();
        for (var k = from; k < argv.Count; k++)
        {
            if (k > from) sb.Append(' ');
            var w = argv[k];
            if (w.Length > 0 && w.AsSpan().IndexOfAny(" \t\n'\"\\$`|&;<>()*?[]#~{}") < 0) sb.Append(w);
            else sb.Append('\'').Append(w.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }
        return sb.ToString();
    }
}
