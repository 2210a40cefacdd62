using System.Text;
using Engram.Core.Privacy;
using Engram.Testing;

namespace Engram.Core.Tests.Privacy;

public sealed class SecretRedactorTests
{
    [Theory]
    [MemberData(nameof(SecretCorpus.Data), MemberType = typeof(SecretCorpus))]
    public void Secret_vanishes_and_is_reported_by_kind(SecretSample sample)
    {
        var result = SecretRedactor.RedactWithReport(sample.Text);

        Assert.DoesNotContain(sample.Secret, result.Text, StringComparison.Ordinal);
        Assert.Contains($"[REDACTED:{sample.Kind}]", result.Text, StringComparison.Ordinal);
        Assert.True(result.CountsByKind.GetValueOrDefault(sample.Kind) >= 1, $"expected kind {sample.Kind}, got {string.Join(",", result.CountsByKind.Keys)}");
    }

    [Theory]
    [MemberData(nameof(SecretCorpus.Data), MemberType = typeof(SecretCorpus))]
    public void Redacting_twice_changes_nothing_more(SecretSample sample)
    {
        var once = SecretRedactor.Redact(sample.Text);
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
    public void Corpus_covers_at_least_eighty_formats_and_fifty_look_alikes()
    {
        Assert.True(SecretCorpus.Samples.Count >= 80, $"{SecretCorpus.Samples.Count} samples");
        Assert.True(SecretCorpus.Samples.Select(s => s.Kind).Distinct().Count() >= 60);
        Assert.True(SecretCorpus.Innocents.Count >= 50, $"{SecretCorpus.Innocents.Count} look-alikes");
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
        Assert.Equal("app.config['SECRET_KEY'] = '[REDACTED:secret]'", SecretRedactor.Redact("app.config['SECRET_KEY'] = 'dev-9f8e7d'"));
    }

    [Fact]
    public void An_assignment_inside_an_innocent_value_is_still_found()
    {
        Assert.Equal("password_reset_url=https://h/r?token=[REDACTED:secret]", SecretRedactor.Redact("password_reset_url=https://h/r?token=a1b2c3d4e5f6"));
    }

    [Fact]
    public void Redacted_json_stays_valid_json()
    {
        const string json = "{\"command\":\"curl -H 'Authorization: Bearer abc123def456ghi789jkl' -d '{\\\"password\\\":\\\"x1y2\\\"}' https://u:p4ss@h/x\",\"env\":{\"GITHUB_TOKEN\":\"ghp_1234567890abcdefghijABCDEFGHIJ123456\"}}";
        var redacted = SecretRedactor.Redact(json);
        using var document = System.Text.Json.JsonDocument.Parse(redacted);
        Assert.DoesNotContain("abc123def456", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("x1y2", redacted, StringComparison.Ordinal);
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
        "sk-ant-",
        "npm_",
        "token",
        "_token_key_secret_pass",
        "a_password",
        "mysql -p",
        "docker login ",
        "1234567890:",
        "Mxxxxxxxxxxxxxxxxxxxxxxxx.",
        "<private>",
        "\\\"",
    };

    // The engine is non-backtracking, so the cost is linear by construction and there is no time limit
    // to hit. These inputs would take hours under a backtracking engine with unbounded loops (each start
    // rescanning the rest); finishing at all, with every secret-shaped unit still visible, is the check.
    [Theory]
    [MemberData(nameof(Adversarial))]
    public void Two_megabytes_of_repetitive_input_is_scanned(string unit)
    {
        var builder = new StringBuilder(2 * 1024 * 1024 + unit.Length);
        while (builder.Length < 2 * 1024 * 1024) builder.Append(unit);
        var text = builder.ToString();

        var result = SecretRedactor.RedactWithReport(text);

        Assert.DoesNotContain("-----BEGIN RSA PRIVATE KEY-----MII", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("unscanned", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_megabytes_of_mixed_text_is_redacted_throughout()
    {
        var builder = new StringBuilder();
        var line = 0;
        while (builder.Length < 2 * 1024 * 1024)
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
