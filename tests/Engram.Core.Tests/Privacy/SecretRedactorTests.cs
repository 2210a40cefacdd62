using System.Text;
using Engram.Core.Privacy;

namespace Engram.Core.Tests.Privacy;

public sealed class SecretRedactorTests
{
    [Theory]
    [MemberData(nameof(SecretCorpus.Secrets), MemberType = typeof(SecretCorpus))]
    public void Secret_vanishes_and_is_reported_by_kind(string text, string secret, string kind)
    {
        var result = SecretRedactor.RedactWithReport(text);

        Assert.DoesNotContain(secret, result.Text, StringComparison.Ordinal);
        Assert.Contains($"[REDACTED:{kind}]", result.Text, StringComparison.Ordinal);
        Assert.True(result.CountsByKind.GetValueOrDefault(kind) >= 1, $"expected kind {kind}, got {string.Join(",", result.CountsByKind.Keys)}");
    }

    [Theory]
    [MemberData(nameof(SecretCorpus.Secrets), MemberType = typeof(SecretCorpus))]
    public void Redacting_twice_changes_nothing_more(string text, string secret, string kind)
    {
        _ = secret;
        _ = kind;
        var once = SecretRedactor.Redact(text);
        var twice = SecretRedactor.RedactWithReport(once);
        Assert.Equal(once, twice.Text);
        Assert.False(twice.Redacted);
    }

    [Theory]
    [MemberData(nameof(SecretCorpus.NearMisses), MemberType = typeof(SecretCorpus))]
    public void Ordinary_text_survives_unchanged(string text)
    {
        var result = SecretRedactor.RedactWithReport(text);
        Assert.Equal(text, result.Text);
        Assert.Equal(0, result.Count);
    }

    [Fact]
    public void Corpus_is_large_enough()
    {
        Assert.True(SecretCorpus.Secrets.Count >= 30);
        Assert.True(SecretCorpus.NearMisses.Count >= 15);
    }

    [Fact]
    public void Url_password_keeps_user_and_host()
    {
        Assert.Equal(
            "postgres://admin:[REDACTED:url-password]@db.internal:5432/app",
            SecretRedactor.Redact("postgres://admin:S3cr3t@db.internal:5432/app"));
    }

    [Fact]
    public void Assignments_keep_their_names_and_quotes()
    {
        Assert.Equal("DB_PASSWORD=[REDACTED:secret]", SecretRedactor.Redact("DB_PASSWORD=hunter2"));
        Assert.Equal("{\"api_key\": \"[REDACTED:secret]\", \"model\": \"gpt\"}", SecretRedactor.Redact("{\"api_key\": \"abc123xyz\", \"model\": \"gpt\"}"));
        Assert.Equal("Authorization: Bearer [REDACTED:bearer-token]", SecretRedactor.Redact("Authorization: Bearer abc123def456ghi789jkl"));
        Assert.Equal("OPENAI_API_KEY=[REDACTED:openai-key]", SecretRedactor.Redact("OPENAI_API_KEY=sk-abcdefghij1234567890ABCDEFGHIJ"));
    }

    [Fact]
    public void Redacted_json_stays_valid_json()
    {
        const string json = "{\"command\":\"curl -H 'Authorization: Bearer abc123def456ghi789jkl' -d '{\\\"password\\\":\\\"x1y2\\\"}' https://u:p4ss@h/x\",\"env\":{\"GITHUB_TOKEN\":\"ghp_1234567890abcdefghijABCDEFGHIJ123456\"}}";
        var redacted = SecretRedactor.Redact(json);
        using var document = System.Text.Json.JsonDocument.Parse(redacted);
        Assert.DoesNotContain("abc123def456", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("p4ss", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_every_secret()
    {
        var result = SecretRedactor.RedactWithReport("A=1 ghp_1234567890abcdefghijABCDEFGHIJ123456 and ghp_abcdefghijABCDEFGHIJ1234567890abcdef, DB_PASSWORD=x9");
        Assert.Equal(2, result.CountsByKind["github-token"]);
        Assert.Equal(1, result.CountsByKind["secret"]);
        Assert.Equal(3, result.Count);
    }

    [Fact]
    public void Empty_and_null_give_empty()
    {
        Assert.Equal("", SecretRedactor.Redact(null));
        Assert.Equal("", SecretRedactor.Redact(""));
    }

    public static TheoryData<string> Adversarial => new()
    {
        "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=",  // one enormous word
        "password=",
        "\"token\": \"unterminated ",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----.",
        "-----END RSA PRIVATE KEY-----",
        "a://b:",
        "eyJabcdefghij.",
        "eyJ-",
        "eyJabcdefghij.eyJ-",
        "Bearer ",
        "Password=x",
        "secret_",
        "sk-",
        "<private>",
    };

    // Each pattern runs under a time limit; a pattern that backtracked badly on these inputs would
    // hit it and withhold the text, so finishing with real output shows the cost stays linear.
    [Theory]
    [MemberData(nameof(Adversarial))]
    public void Five_megabytes_of_repetitive_input_is_scanned(string unit)
    {
        var builder = new StringBuilder(5 * 1024 * 1024 + unit.Length);
        while (builder.Length < 5 * 1024 * 1024) builder.Append(unit);
        var text = builder.ToString();

        var result = SecretRedactor.RedactWithReport(text);

        Assert.False(result.CountsByKind.ContainsKey("unscanned-text"));
        Assert.DoesNotContain("-----BEGIN RSA PRIVATE KEY-----MII", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Five_megabytes_of_mixed_text_is_redacted_throughout()
    {
        var builder = new StringBuilder();
        var line = 0;
        while (builder.Length < 5 * 1024 * 1024)
        {
            builder.Append("line ").Append(line++).Append(": the token bucket refills; see src/Auth/TokenService.cs and 3f2a9c1e8b7d6a5f4e3d2c1b\n");
            if (line % 1000 == 0) builder.Append("DB_PASSWORD=hunter").Append(line).Append('\n');
        }
        var result = SecretRedactor.RedactWithReport(builder.ToString());
        Assert.Equal(line / 1000, result.CountsByKind["secret"]);
        Assert.DoesNotContain("hunter", result.Text, StringComparison.Ordinal);
    }
}

public sealed class PemPrivateKeyTests
{
    private const string Key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
    private const string Certificate = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----";

    [Fact]
    public void Each_block_is_replaced_and_certificates_between_them_stay()
    {
        var text = $"a\n{Key}\nb\n{Certificate}\nc\n{Key}\nd";

        var result = SecretRedactor.RedactWithReport(text);

        Assert.Equal($"a\n[REDACTED:private-key]\nb\n{Certificate}\nc\n[REDACTED:private-key]\nd", result.Text);
        Assert.Equal(2, result.CountsByKind["private-key"]);
    }

    [Fact]
    public void An_unterminated_block_is_redacted_up_to_the_next_block()
    {
        var text = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMx\n" + Key + "\nafter.";

        var result = SecretRedactor.RedactWithReport(text);

        Assert.Equal("[REDACTED:private-key][REDACTED:private-key]\nafter.", result.Text);
    }

    [Fact]
    public void Encrypted_keys_with_headers_and_pgp_blocks_are_covered()
    {
        const string encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nxHMGq2v8Ud7f\n-----END RSA PRIVATE KEY-----";
        const string pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----";

        Assert.Equal("x [REDACTED:private-key] y [REDACTED:private-key] z", SecretRedactor.Redact($"x {encrypted} y {pgp} z"));
    }
}
