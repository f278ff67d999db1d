using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Cryb.Hosting;

/// <summary>Reads settings that have no sensible default, failing at start with the setting's name.</summary>
public static class RequiredSettings
{
    /// <summary>
    /// The connection string <paramref name="name"/>, or an error naming both the configuration key
    /// and the environment variable that set it.
    /// </summary>
    public static string ConnectionString(IConfiguration configuration, string name, string purpose)
    {
        var value = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new OptionsValidationException(name, typeof(string), [
                $"Missing setting ConnectionStrings:{name} (environment variable ConnectionStrings__{name}): {purpose}."]);
        }

        return value;
    }
}
