using System.Globalization;
using System.Text;

namespace Vigil.Postgres.Auth;

/// <summary>
/// Password preparation as libpq's pg_saslprep applies it before SCRAM (RFC 4013): ASCII passwords are
/// used unchanged; otherwise non-ASCII spaces map to U+0020, "commonly mapped to nothing" characters are
/// removed and the result is NFKC-normalized. If the result contains a prohibited character (control,
/// private use, surrogate, non-character, unassigned) the raw password is used, as libpq does.
/// Bidirectional-text checks (RFC 3454 §6) are not performed.
/// </summary>
internal static class SaslPrep
{
    public static string Prepare(string password)
    {
        if (Ascii.IsValid(password))
        {
            return password;
        }

        var mapped = new StringBuilder(password.Length);
        foreach (var c in password)
        {
            if (IsMappedToNothing(c))
            {
                continue;
            }

            mapped.Append(c != ' ' && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator ? ' ' : c);
        }

        string normalized;
        try
        {
            normalized = mapped.ToString().Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return password;
        }
        catch (PlatformNotSupportedException)
        {
            return password;
        }

        return normalized.Length == 0 || ContainsProhibited(normalized) ? password : normalized;
    }

    private static bool IsMappedToNothing(char c) =>
        c is '\u00AD' or '\u034F' or '\u1806' or (>= '\u180B' and <= '\u180D') or (>= '\u200B' and <= '\u200D')
            or '\u2060' or (>= '\uFE00' and <= '\uFE0F') or '\uFEFF';

    private static bool ContainsProhibited(string s)
    {
        foreach (var rune in s.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Format)
            {
                return true;
            }
        }

        return false;
    }
}
