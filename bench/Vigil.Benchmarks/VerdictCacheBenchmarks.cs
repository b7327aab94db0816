using BenchmarkDotNet.Attributes;
using Vigil.Analysis;
using Vigil.Analysis.Cache;
using Vigil.Analysis.Providers;
using Vigil.Analysis.Static;

namespace Vigil.Benchmarks;

/// <summary>
/// Verdict-cache hits (target below 5 µs): the lookup alone, and the whole path a cached statement takes (fingerprint
/// of a statement whose literal differs from the cached one, then the lookup), in a cache of 10,000 entries.
/// </summary>
[MemoryDiagnoser]
public class VerdictCacheBenchmarks
{
    private const string Cached = "SELECT abalance FROM pgbench_accounts WHERE aid = 1";
    private readonly VerdictCache _cache = new(TimeSpan.FromHours(1), 100_000, TimeProvider.System);
    private VerdictKey _key;

    [GlobalSetup]
    public void Setup()
    {
        var verdict = new ProviderVerdict(RiskLevel.Low, "Scoped read", "Reads one account by key.", null, null, null);
        for (var i = 0; i < 10_000; i++)
        {
            _cache.Set(new VerdictKey(InputType.Postgres, $"SELECT c{i} FROM t WHERE id = $1", "prompt", "model"), verdict, "openai");
        }
        _key = new VerdictKey(InputType.Postgres, StaticAnalyzer.Fingerprint(InputType.Postgres, Cached), "prompt", "model");
        _cache.Set(_key, verdict, "openai");
    }

    [Benchmark]
    public ProviderVerdict? Lookup() => _cache.TryGet(_key);

    [Benchmark]
    public ProviderVerdict? FingerprintAndLookup() =>
        _cache.TryGet(new VerdictKey(InputType.Postgres, StaticAnalyzer.Fingerprint(InputType.Postgres, "SELECT abalance FROM pgbench_accounts WHERE aid = 48213"), "prompt", "model"));
}
