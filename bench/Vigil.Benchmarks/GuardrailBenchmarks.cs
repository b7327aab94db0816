using BenchmarkDotNet.Attributes;
using Vigil.Guardrails;

namespace Vigil.Benchmarks;

/// <summary>
/// Guardrail checks on the hot path: one input check of a pgbench statement (deny words on the lexed SQL, a pattern on
/// the raw text), and output scanning of 1 MiB of result text as 32-character cell values and as 4 KiB chunks.
/// </summary>
[MemoryDiagnoser]
public class GuardrailBenchmarks
{
    private const string Statement = "UPDATE pgbench_accounts SET abalance = abalance + -4012 WHERE aid = 48213";

    private static readonly GuardrailChecker Checker = new([new Guardrail(
        "id", "bench", null, ["c"],
        [
            new GuardrailRule(GuardrailRuleType.DenyWordsList, null, null, ["drop", "truncate", "pg_authid", "alter system"], null),
            new GuardrailRule(GuardrailRuleType.PatternMatch, null, null, [], @"pg_sleep\s*\("),
        ],
        [
            new GuardrailRule(GuardrailRuleType.DenyWordsList, null, null, ["secret", "password"], null),
            new GuardrailRule(GuardrailRuleType.PatternMatch, null, null, [], @"\b\d{3}-\d{2}-\d{4}\b"),
        ],
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)]);

    private static readonly string Cell = "customer 48213 balance -4012 ok";
    private static readonly string Chunk = string.Concat(Enumerable.Repeat(Cell + "\n", 4096 / (Cell.Length + 1)));
    private const int Mebibyte = 1 << 20;

    [Benchmark]
    public GuardrailViolation? InputPostgres() => Checker.CheckInput("postgres", Statement);

    [Benchmark]
    public GuardrailViolation? OutputMebibyteAsCells()
    {
        var scanner = Checker.CreateOutputScanner()!;
        GuardrailViolation? found = null;
        for (var done = 0; done < Mebibyte && found is null; done += Cell.Length)
        {
            found = scanner.ScanValue(Cell);
        }
        return found;
    }

    [Benchmark]
    public GuardrailViolation? OutputMebibyteAsChunks()
    {
        var scanner = Checker.CreateOutputScanner()!;
        GuardrailViolation? found = null;
        for (var done = 0; done < Mebibyte && found is null; done += Chunk.Length)
        {
            found = scanner.ScanChunk(Chunk);
        }
        return found ?? scanner.Complete();
    }
}
