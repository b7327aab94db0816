namespace Vigil.Masking.Recognizers;

/// <summary>
/// The entity types Vigil recognizes, named exactly as Microsoft Presidio names them
/// (https://microsoft.github.io/presidio/supported_entities/). <see cref="Person"/> and <see cref="Location"/> have no
/// content recognizer: they apply where a column rule names the column.
/// </summary>
public static class PresidioEntityTypes
{
    /// <summary>An e-mail address.</summary>
    public const string EmailAddress = "EMAIL_ADDRESS";
    /// <summary>A telephone number (libphonenumber).</summary>
    public const string PhoneNumber = "PHONE_NUMBER";
    /// <summary>A payment card number (Luhn).</summary>
    public const string CreditCard = "CREDIT_CARD";
    /// <summary>A US Social Security Number.</summary>
    public const string UsSsn = "US_SSN";
    /// <summary>An International Bank Account Number (mod-97).</summary>
    public const string IbanCode = "IBAN_CODE";
    /// <summary>An IPv4 or IPv6 address.</summary>
    public const string IpAddress = "IP_ADDRESS";
    /// <summary>A Bitcoin address (base58check or bech32).</summary>
    public const string Crypto = "CRYPTO";
    /// <summary>A URL.</summary>
    public const string Url = "URL";
    /// <summary>A MAC address.</summary>
    public const string MacAddress = "MAC_ADDRESS";
    /// <summary>A US bank account number.</summary>
    public const string UsBankNumber = "US_BANK_NUMBER";
    /// <summary>A US passport number.</summary>
    public const string UsPassport = "US_PASSPORT";
    /// <summary>A US driver's license number.</summary>
    public const string UsDriverLicense = "US_DRIVER_LICENSE";
    /// <summary>A UK NHS number (mod-11 checksum).</summary>
    public const string UkNhs = "UK_NHS";
    /// <summary>A date or time.</summary>
    public const string DateTime = "DATE_TIME";
    /// <summary>A person's name (column rules only).</summary>
    public const string Person = "PERSON";
    /// <summary>A location (column rules only).</summary>
    public const string Location = "LOCATION";

    /// <summary>Every supported entity type name.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        EmailAddress, PhoneNumber, CreditCard, UsSsn, IbanCode, IpAddress, Crypto, Url, MacAddress, UsBankNumber,
        UsPassport, UsDriverLicense, UkNhs, DateTime, Person, Location,
    ];
}
