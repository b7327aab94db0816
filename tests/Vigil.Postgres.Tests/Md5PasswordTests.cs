using Vigil.Postgres.Auth;

namespace Vigil.Postgres.Tests;

public class Md5PasswordTests
{
    // Expected values computed independently in bash:
    //   inner=$(printf '%s' 'secretpostgres' | md5sum | cut -c1-32)
    //   (printf '%s' "$inner"; printf '\x01\x02\x03\x04') | md5sum
    [Fact]
    public void MatchesIndependentlyComputedVector()
    {
        Md5Password.Compute("postgres", "secret", [1, 2, 3, 4]).Should().Be("md5bb41a296aab6baccb36ff243a562abff");
    }

    [Fact]
    public void EncodesNonAsciiAsUtf8()
    {
        Md5Password.Compute("уser", "pencil", [0xDE, 0xAD, 0xBE, 0xEF]).Should().Be("md527898021b19cc75b2b81e5d6d1d22356");
    }

    [Fact]
    public void RejectsWrongSaltLength()
    {
        var act = () => Md5Password.Compute("u", "p", [1, 2, 3]);

        act.Should().Throw<ArgumentException>();
    }
}
