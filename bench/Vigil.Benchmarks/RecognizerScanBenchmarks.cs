using System.Globalization;
using BenchmarkDotNet.Attributes;
using Vigil.Masking.Recognizers;

namespace Vigil.Benchmarks;

/// <summary>
/// The cost of scanning one MiB of result text with every built-in recognizer on (score threshold 0.4), value by
/// value as the proxy scans column values: table text where one value in 50 holds PII (an e-mail, a phone number, a
/// card), and the same kind of text with none (MB/s = 1 / mean seconds); and two short values with no candidate
/// characters, which the pre-checks must reject without running a regex.
/// </summary>
[MemoryDiagnoser]
public class RecognizerScanBenchmarks
{
    private const int Bytes = 1 << 20;
    private string[] _withPii = [];
    private string[] _withoutPii = [];
    private readonly List<EntityMatch> _found = [];

    [GlobalSetup]
    public void Setup()
    {
        _withPii = Values(pii: true);
        _withoutPii = Values(pii: false);
    }

    [Benchmark]
    public int TableTextWithPii() => Scan(_withPii);

    [Benchmark(Baseline = true)]
    public int TableTextWithoutPii() => Scan(_withoutPii);

    /// <summary>Two short values with no candidate characters ("12345", "hello"): the cost the pre-checks leave.</summary>
    [Benchmark]
    public int ShortValuesWithoutCandidates() => Scan(ShortValues);

    private static readonly string[] ShortValues = ["12345", "hello"];

    private int Scan(string[] values)
    {
        var total = 0;
        foreach (var value in values)
        {
            _found.Clear();
            EntityRecognizers.Analyze(value, EntityRecognizers.All, 0.4, _found);
            total += _found.Count;
        }
        return total;
    }

    /// <summary>Column values of a typical orders/customers table (ids, names, amounts, statuses, timestamps, notes).</summary>
    private static string[] Values(bool pii)
    {
        string[] plain =
        [
            "12345", "Widget Pro 2000", "shipped", "149.99", "Acme Corporation", "true", "pending review",
            "The customer asked for a refund because the item arrived damaged", "Berlin", "42", "NULL",
            "{\"status\": \"ok\", \"items\": 3}", "Premium plan, billed monthly", "order 100234",
        ];
        string[] sensitive = ["jane.doe@example.com", "+44 20 7946 0958", "4111 1111 1111 1111"];
        var values = new List<string>();
        var size = 0;
        for (var i = 0; size < Bytes; i++)
        {
            var value = pii && i % 50 == 49 ? sensitive[i / 50 % sensitive.Length] : plain[i % plain.Length] + (i % 7 == 0 ? " #" + i.ToString(CultureInfo.InvariantCulture) : "");
            values.Add(value);
            size += value.Length;
        }
        return [.. values];
    }
}
