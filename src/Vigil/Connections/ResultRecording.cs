namespace Vigil.Connections;

/// <summary>
/// Bounds of the per-connection result recording (fields <c>record_result_rows</c> and <c>record_result_bytes</c>): how
/// many of a statement's first rows, and how many UTF-8 bytes of their (masked) values, the session keeps. <c>0</c> in
/// either turns result recording off for the connection (the row count is still recorded with the statement).
/// </summary>
public static class ResultRecording
{
    /// <summary>Default of <c>record_result_rows</c>: 100 rows per statement.</summary>
    public const int DefaultRows = 100;

    /// <summary>Default of <c>record_result_bytes</c>: 64 KiB per statement.</summary>
    public const int DefaultBytes = 64 * 1024;

    /// <summary>Largest accepted <c>record_result_rows</c>: 10,000 rows.</summary>
    public const int MaxRows = 10_000;

    /// <summary>Largest accepted <c>record_result_bytes</c>: 16 MiB (a recorded result is held in memory until written).</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>The message naming the bad field, or null when <paramref name="rows"/> and <paramref name="bytes"/> are in range.</summary>
    public static string? Validate(int? rows, int? bytes) =>
        rows is < 0 or > MaxRows ? $"field 'record_result_rows' must be between 0 (off) and {MaxRows}"
        : bytes is < 0 or > MaxBytes ? $"field 'record_result_bytes' must be between 0 (off) and {MaxBytes}"
        : null;
}
