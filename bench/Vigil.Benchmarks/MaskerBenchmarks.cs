using BenchmarkDotNet.Attributes;
using Vigil.Masking;
using Vigil.Masking.Recognizers;
using Vigil.Masking.Rules;
using Vigil.Security;

namespace Vigil.Benchmarks;

/// <summary>
/// The masker's cost per result value on the proxy's hot path, with a rule naming every content entity type (as
/// bench/pgbench.sh's vigil-masked target): pgbench's values (small integers, its filler), a value with an e-mail.
/// </summary>
[MemoryDiagnoser]
public class MaskerBenchmarks
{
    private ConnectionMasker _masker = null!;

    [Params("-3421", "0", "1234567", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "mail ada@example.com now")]
    public string Value { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var types = PresidioEntityTypes.All.Where(t => t is not (PresidioEntityTypes.Person or PresidioEntityTypes.Location)).ToArray();
        var rule = new MaskingRule(Guid.NewGuid().ToString(), "all", null, ["bench"], [new EntityTypeGroup("pii", types, null)], [], 0,
            MaskingStrategy.Redact, [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        _masker = ConnectionMasker.Compile([rule], new MaskingHasher(new SecretProtector(new byte[32])))!;
    }

    [Benchmark]
    public string Mask() => _masker.Mask(Value, null);
}
