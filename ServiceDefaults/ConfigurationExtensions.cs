using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Cryb.Hosting;

public static class ConfigurationExtensions
{
    /// <summary>
    /// Binds section <paramref name="section"/> to <typeparamref name="T"/> and validates its data
    /// annotations now, so a bad setting stops the host at start with the setting's name.
    /// </summary>
    public static T BindValidated<T>(this IConfiguration configuration, string section) where T : new()
    {
        var value = new T();
        configuration.GetSection(section).Bind(value);
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(section, typeof(T),
                results.Select(result => $"Invalid setting {section}:{string.Join(",", result.MemberNames)}: {result.ErrorMessage}"));
        }

        return value;
    }
}
