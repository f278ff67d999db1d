using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>The one display-name rule the gateway's dev tokens and the user grain both apply.</summary>
public sealed class DisplayNamesTests
{
    [Theory]
    [InlineData("  Alice  ", "Alice")]
    [InlineData("", "alice")]
    [InlineData("   ", "alice")]
    [InlineData(null, "alice")]
    [InlineData("Al\nice", "alice")]
    [InlineData("Al\u0007ice", "alice")]
    public void A_name_is_trimmed_and_replaced_by_the_user_id_when_empty_or_holding_control_characters(string? requested, string expected) =>
        Assert.Equal(expected, DisplayNames.OrUserId(requested, "alice"));

    [Fact]
    public void A_name_of_the_maximum_length_is_kept_and_one_character_more_is_replaced()
    {
        var longest = new string('a', DisplayNames.MaxLength);

        Assert.Equal(64, DisplayNames.MaxLength);
        Assert.Equal(longest, DisplayNames.OrUserId(longest, "alice"));
        Assert.Equal("alice", DisplayNames.OrUserId(longest + "b", "alice"));
    }
}
