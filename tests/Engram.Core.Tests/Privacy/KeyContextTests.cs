using Engram.Core.Privacy;

namespace Engram.Core.Tests.Privacy;

public sealed class KeyContextTests
{
    [Theory]
    [InlineData("password", SecretNameStrength.Strong)]
    [InlineData("DB_PASSWORD", SecretNameStrength.Strong)]
    [InlineData("PGPASSWORD", SecretNameStrength.Strong)]
    [InlineData("MY_APP_CLIENT_SECRET_PROD", SecretNameStrength.Strong)]
    [InlineData("SECRET_KEY", SecretNameStrength.Strong)]
    [InlineData("signing_key", SecretNameStrength.Strong)]
    [InlineData("ENCRYPTION_KEY", SecretNameStrength.Strong)]
    [InlineData("spring.datasource.password", SecretNameStrength.Strong)]
    [InlineData("apiKey", SecretNameStrength.Weak)]
    [InlineData("X-Api-Key", SecretNameStrength.Weak)]
    [InlineData("api_key", SecretNameStrength.Weak)]
    [InlineData("token", SecretNameStrength.Weak)]
    [InlineData("accessToken", SecretNameStrength.Weak)]
    [InlineData("_authToken", SecretNameStrength.Weak)]
    [InlineData("key", SecretNameStrength.None)]
    [InlineData("primary_key", SecretNameStrength.None)]
    [InlineData("PASSWORD_RESET_TOKEN_EXPIRY_MINUTES", SecretNameStrength.None)]
    [InlineData("password_reset_url", SecretNameStrength.None)]
    [InlineData("passwordHash", SecretNameStrength.None)]
    [InlineData("PASSWORD_FILE", SecretNameStrength.None)]
    [InlineData("max_tokens", SecretNameStrength.None)]
    [InlineData("token_type", SecretNameStrength.None)]
    [InlineData("tokenizer", SecretNameStrength.None)]
    [InlineData("bypass", SecretNameStrength.None)]
    [InlineData("model", SecretNameStrength.None)]
    public void Names_are_classified(string name, SecretNameStrength expected) => Assert.Equal(expected, SecretNames.Classify(name));

    [Theory]
    [InlineData("password", "hunter2", true)]
    [InlineData("password", "1234", true)]
    [InlineData("DB_PASSWORD", "x", true)]
    [InlineData("api_key", "abc123xyz", true)]
    [InlineData("token", "3", false)]
    [InlineData("token", "30000", false)]
    [InlineData("auth", "required", false)]
    [InlineData("password", "${DB_PASSWORD}", false)]
    [InlineData("password", "", false)]
    [InlineData("password", "null", false)]
    [InlineData("token", "[REDACTED:secret]", false)]
    [InlineData("PASSWORD_RESET_TOKEN_EXPIRY_MINUTES", "30", false)]
    [InlineData("model", "hunter2", false)]
    public void Values_are_judged_in_the_context_of_their_key(string key, string value, bool secret)
    {
        var redacted = PrivacyFilter.ApplyToValue(key, value);
        if (secret) Assert.Equal("[REDACTED:secret]", redacted);
        else Assert.Equal(value, redacted);
    }

    [Fact]
    public void A_value_under_an_innocent_key_is_still_scanned_as_text()
    {
        Assert.Equal("use [REDACTED:github-token]", PrivacyFilter.ApplyToValue("note", "use ghp_1234567890abcdefghijABCDEFGHIJ123456"));
    }

    [Fact]
    public void Metadata_keys_and_values_are_filtered_together()
    {
        var scope = PrivacyFilter.NewScope();
        var clean = scope.Metadata(new Dictionary<string, string>
        {
            ["api_key"] = "abc123xyz",
            ["token"] = "3",
            ["note"] = "DB_PASSWORD=hunter2",
            ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"] = "a key as a key",
        });
        Assert.Equal("[REDACTED:secret]", clean["api_key"]);
        Assert.Equal("3", clean["token"]);
        Assert.Equal("DB_PASSWORD=[REDACTED:secret]", clean["note"]);
        Assert.Contains("[REDACTED:stripe-key]", clean.Keys);
    }
}
