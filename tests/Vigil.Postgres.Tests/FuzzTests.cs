using System.Diagnostics;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.Postgres.Tests;

public class FuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 50_000;

    public static TheoryData<string> Regressions => new()
    {
        // Add hex inputs found by the fuzzer here.
        "0000000800000000",
        "00000008000300",
        "51FFFFFFFF",
        "0000000C04D2162E0000000100",
    };

    [Fact]
    public void MutatedInputs_OnlyEverThrowProtocolExceptions()
    {
        var corpus = Corpus.AllSingleMessages()
            .Concat(Corpus.StartupPackets())
            .Append(Corpus.FrontendStream())
            .Append(Corpus.Startup().Concat(Corpus.FrontendStream()).ToArray())
            .ToArray();
        var mutator = new Mutator(seed: 20240611);
        var random = new Random(7);
        var stopwatch = Stopwatch.StartNew();
        var accepted = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var input = mutator.Mutate(corpus[i % corpus.Length]);
            try
            {
                accepted += ParserHarness.Run(new ReadOnlySequence<byte>(input));
                if (i % 16 == 0 && input.Length > 1)
                {
                    accepted += ParserHarness.Run(Segments.Split(input, random.Next(1, input.Length)));
                }
            }
            catch (Exception ex)
            {
                Assert.Fail($"input #{i} {Convert.ToHexString(input)} threw {ex}");
            }
        }

        output.WriteLine($"{Iterations} inputs, {accepted} accepted parses, {stopwatch.Elapsed}");
        accepted.Should().BeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(Regressions))]
    public void RegressionInputs_OnlyThrowProtocolExceptions(string hex)
    {
        var input = Convert.FromHexString(hex);

        var act = () => ParserHarness.Run(new ReadOnlySequence<byte>(input));

        act.Should().NotThrow();
    }

    [Fact]
    public void RandomBytes_OnlyEverThrowProtocolExceptions()
    {
        var random = new Random(99);
        for (var i = 0; i < 5_000; i++)
        {
            var input = new byte[random.Next(0, 64)];
            random.NextBytes(input);
            if (i % 2 == 0 && input.Length >= 5)
            {
                input[0] = (byte)"QPBEDSCdcXp"[random.Next(11)];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(1), input.Length - 1);
            }

            var act = () => ParserHarness.Run(new ReadOnlySequence<byte>(input));
            act.Should().NotThrow($"input {Convert.ToHexString(input)}");
        }

    }
}
