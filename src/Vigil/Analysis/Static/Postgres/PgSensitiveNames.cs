using System.Collections.Frozen;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// Whether a table or column name looks like it holds personal or secret data. Names are split into words at
/// <c>_</c> and digits and compared after dropping a plural ending (short roots such as <c>ssn</c> or <c>card</c> must be
/// whole words: "classname" is not an SSN); a few long roots also match inside camel-case or run-together names.
/// </summary>
internal static class PgSensitiveNames
{
    private static readonly FrozenSet<string> TableWords = FrozenSet.Create(StringComparer.Ordinal,
        "user", "customer", "client", "account", "employee", "staff", "patient", "payment", "card", "credential",
        "person", "people", "member", "contact", "payroll", "salary", "salarie", "profile", "subscriber", "login",
        "secret", "token", "password", "identity", "passport", "applicant", "student", "citizen", "donor",
        "invoice", "billing", "bank", "wallet", "ssn");

    private static readonly FrozenSet<string> ColumnWords = FrozenSet.Create(StringComparer.Ordinal,
        "email", "mail", "phone", "mobile", "ssn", "password", "passwd", "pwd", "token", "secret", "iban", "card",
        "cvv", "cvc", "pan", "address", "addresse", "birth", "dob", "birthdate", "birthday", "salary", "passport",
        "credential", "apikey", "pin", "salt", "otp", "surname", "firstname", "lastname", "fullname", "diagnosis");

    /// <summary>Roots long enough to match anywhere in a name (camelCase, run-together words).</summary>
    private static readonly string[] Roots =
    [
        "password", "passwd", "customer", "employee", "patient", "payment", "credential", "creditcard", "email",
        "secret", "salary", "payroll", "first_name", "last_name", "full_name", "api_key", "private_key",
        "access_key", "tax_id", "account_number", "accountnumber", "phone_number", "social_security",
    ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _tableWords = TableWords.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _columnWords = ColumnWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when a table name (one part, any case) looks sensitive: users, customers, accounts, payments…</summary>
    public static bool IsSensitiveTable(ReadOnlySpan<char> name) => Matches(name, _tableWords);

    /// <summary>True when a column name (one part, any case) looks sensitive: email, phone, ssn, password, iban…</summary>
    public static bool IsSensitiveColumn(ReadOnlySpan<char> name) => Matches(name, _columnWords);

    private static bool Matches(ReadOnlySpan<char> name, FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> words)
    {
        Span<char> buffer = stackalloc char[64];
        var length = Math.Min(name.Length, buffer.Length);
        name[..length].ToLowerInvariant(buffer);
        var lower = buffer[..length];
        foreach (var root in Roots)
        {
            if (lower.Contains(root, StringComparison.Ordinal))
            {
                return true;
            }
        }

        var start = 0;
        for (var i = 0; i <= lower.Length; i++)
        {
            if (i < lower.Length && char.IsAsciiLetter(lower[i]))
            {
                continue;
            }

            if (i > start && IsWord(lower[start..i], words))
            {
                return true;
            }

            start = i + 1;
        }

        return false;
    }

    private static bool IsWord(ReadOnlySpan<char> word, FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> words) =>
        words.Contains(word)
        || (word.Length > 3 && word[^1] == 's' && words.Contains(word[..^1]))
        || (word.Length > 4 && word.EndsWith("es") && words.Contains(word[..^2]));
}
