using Vigil.Pipeline;
using Vigil.Masking.Rules;

namespace Vigil.Masking;

/// <summary>Registers data masking: the rule store, the hasher under the master key and the in-memory <see cref="MaskingSet"/>.</summary>
public static class MaskingServices
{
    /// <summary>
    /// Adds <see cref="MaskingRuleRepository"/>, <see cref="MaskingHasher"/> and <see cref="MaskingSet"/> (a hosted
    /// service that loads the rules at start). Needs <see cref="Security.SecretProtector"/> and the store registered.
    /// </summary>
    public static IServiceCollection AddMasking(this IServiceCollection services)
    {
        services.AddSingleton<MaskingRuleRepository>();
        services.AddSingleton<MaskingHasher>();
        services.AddSingleton<MaskingSet>();
        services.AddSingleton<IResultStage, MaskingStage>();
        services.AddHostedService(sp => sp.GetRequiredService<MaskingSet>());
        return services;
    }
}
