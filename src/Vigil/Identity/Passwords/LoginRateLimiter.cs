using System.Threading.RateLimiting;
using Vigil.Hosting;

namespace Vigil.Identity.Passwords;

/// <summary>
/// Limits login attempts per e-mail address and per source address in fixed windows
/// (<see cref="GatewayOptions.LoginAttemptsPerUser"/>, <see cref="GatewayOptions.LoginAttemptsPerAddress"/>,
/// <see cref="GatewayOptions.LoginWindow"/>), with <c>System.Threading.RateLimiting</c>. Every attempt counts,
/// successful or not, so the limiter cannot be used to learn which attempts succeeded.
/// </summary>
public sealed class LoginRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perUser;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly TimeSpan _window;

    /// <summary>Creates the limiters from <paramref name="options"/>.</summary>
    public LoginRateLimiter(GatewayOptions options)
    {
        _window = options.LoginWindow;
        _perUser = Create(options.LoginAttemptsPerUser, options.LoginWindow);
        _perAddress = Create(options.LoginAttemptsPerAddress, options.LoginWindow);
    }

    /// <summary>Takes one attempt for <paramref name="email"/> from <paramref name="address"/>; null when allowed, else how long to wait.</summary>
    public TimeSpan? TryAcquire(string email, string address)
    {
        foreach (var (limiter, key) in new[] { (_perAddress, address), (_perUser, email.Trim().ToLowerInvariant()) })
        {
            using var lease = limiter.AttemptAcquire(key);
            if (!lease.IsAcquired)
            {
                return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) && retry > TimeSpan.Zero ? retry : _window;
            }
        }
        return null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _perUser.Dispose();
        _perAddress.Dispose();
    }

    private static PartitionedRateLimiter<string> Create(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
