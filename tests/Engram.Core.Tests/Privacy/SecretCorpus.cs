namespace Engram.Core.Tests.Privacy;

/// <summary>
/// Samples for the redactor. Every key here is fake, made to have the shape of the real thing.
/// </summary>
public static class SecretCorpus
{
    private static readonly string PemRsa = string.Join('\n',
        "-----BEGIN RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
        "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
        "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo",
        "-----END RSA PRIVATE KEY-----");

    private static readonly string PemOpenSsh = string.Join("\r\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACDy2yq7PyRzrqdhKTpgsCZ5ZVrl2lPRyqMdGhEVvcc9kgAAAJgu6sEPLurB",
        "-----END OPENSSH PRIVATE KEY-----");

    /// <summary>(text containing a secret, the secret itself, the kind the redactor must report).</summary>
    public static TheoryData<string, string, string> Secrets => new()
    {
        { "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key" },
        { "stripe.api_key(\"sk_test_51H8xYzAbCdEfGhIjKlMnOpQr\")", "sk_test_51H8xYzAbCdEfGhIjKlMnOpQr", "stripe-key" },
        { "restricted rk_live_51AbCdEfGhIjKlMnOp12 in use", "rk_live_51AbCdEfGhIjKlMnOp12", "stripe-key" },
        { "webhook secret whsec_abcdefghijklmnopqrstuvwx12", "whsec_abcdefghijklmnopqrstuvwx12", "stripe-key" },
        { "OpenAI key sk-abcdefghij1234567890ABCDEFGHIJ1234567890abcdefgh works", "sk-abcdefghij1234567890ABCDEFGHIJ1234567890abcdefgh", "openai-key" },
        { "client = OpenAI(api_key=\"sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Ab-Cd7\")", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Ab-Cd7", "openai-key" },
        { "export ANTHROPIC_API_KEY=sk-ant-api03-abcDEF123456ghiJKL789012mnoPQR345678-stuVWX_yz", "sk-ant-api03-abcDEF123456ghiJKL789012mnoPQR345678-stuVWX_yz", "anthropic-key" },
        { "token ghp_1234567890abcdefghijABCDEFGHIJ123456 expired", "ghp_1234567890abcdefghijABCDEFGHIJ123456", "github-token" },
        { "gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a", "github-token" },
        { "GH_TOKEN=ghs_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "ghs_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "github-token" },
        { "(ghu_0123456789ABCDEFGHIJabcdefghij012345)", "ghu_0123456789ABCDEFGHIJabcdefghij012345", "github-token" },
        { "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123", "github-token" },
        { "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "aws-access-key-id" },
        { "temporary ASIAY34FZKBOKMUTVV7A credentials", "ASIAY34FZKBOKMUTVV7A", "aws-access-key-id" },
        { "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-key" },
        { "SLACK_BOT=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack-token" },
        { "user token xoxp-2222222222-3333333333-444444444444-abcdef0123456789", "xoxp-2222222222-3333333333-444444444444-abcdef0123456789", "slack-token" },
        { "post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now", "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack-webhook" },
        { "maps key AIzaSyD4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T in config", "AIzaSyD4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T", "google-api-key" },
        { "jwt=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0", "jwt" },
        { "Authorization: Bearer abc123def456ghi789jkl", "abc123def456ghi789jkl", "bearer-token" },
        { "curl -H \"Authorization: Basic dXNlcjpwYXNzd29yZA==\" https://api.example.com", "dXNlcjpwYXNzd29yZA==", "basic-auth" },
        { "send it with Bearer 7f9a8b6c5d4e3f2a1b0c please", "7f9a8b6c5d4e3f2a1b0c", "bearer-token" },
        { "DATABASE_URL=postgres://admin:S3cr3tP%40ss@db.internal:5432/app", "S3cr3tP%40ss", "url-password" },
        { "git clone https://user:tok_abc123@github.com/org/repo", "tok_abc123", "url-password" },
        { "REDIS=redis://:r3disPass@cache:6379/0", "r3disPass", "url-password" },
        { "DB_PASSWORD=hunter2", "hunter2", "secret" },
        { "export GITHUB_TOKEN=abcdef123456", "abcdef123456", "secret" },
        { "{\"client_secret\": \"a1b2c3d4e5f6\"}", "a1b2c3d4e5f6", "secret" },
        { "api_key: 9f8e7d6c5b4a", "9f8e7d6c5b4a", "secret" },
        { "{\"password\":\"p@ss w0rd!\"}", "p@ss w0rd!", "secret" },
        { "password: hunter2", "hunter2", "secret" },
        { "passwd = \"letmein\"", "letmein", "secret" },
        { "SECRET_KEY='django-insecure-abc123'", "django-insecure-abc123", "secret" },
        { "X-Api-Key: 0a1b2c3d4e5f60718293", "0a1b2c3d4e5f60718293", "secret" },
        { "AUTH_TOKEN=\"abc.def.ghi123\"", "abc.def.ghi123", "secret" },
        { "private_key = \"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\"", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "secret" },
        { "GET /cb?access_token=ya29a0AfH6SMBx123&expires=3600", "ya29a0AfH6SMBx123", "secret" },
        { "DB_PASS=correct-horse-battery", "correct-horse-battery", "secret" },
        { "mysql -u root --password Sup3rS3cret shop", "Sup3rS3cret", "secret" },
        { "\"apiKey\": \"live_123456\"", "live_123456", "secret" },
        { "Server=db;Database=app;User Id=sa;Password=Pa55 w0rd!;Encrypt=true", "Pa55 w0rd!", "connection-string-password" },
        { "Host=localhost;Username=postgres;pwd=s3cret;", "s3cret", "connection-string-password" },
        { "key file:\n" + PemRsa + "\nend of file", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "private-key" },
        { PemOpenSsh, "QyNTUxOQAAACDy2yq7PyRzrqdhKTpgsCZ5ZVrl2lPRyqMdGhEVvcc9kgAAAJgu6sEPLurB", "private-key" },
        { "{\"key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n\"}", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "private-key" },
        { "pasted -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49", "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49", "private-key" },
    };

    /// <summary>Ordinary text that looks a little like a secret and must survive unchanged.</summary>
    public static TheoryData<string> NearMisses => new()
    {
        "the token bucket algorithm limits requests per client",
        "password reset flow is in auth.cs",
        "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 fixed it",
        "request id 123e4567-e89b-12d3-a456-426614174000",
        "/home/user/projects/shop-api/src/Auth/TokenService.cs",
        "C:\\Users\\dev\\source\\repos\\Secrets\\PasswordHasher.cs",
        "max_tokens=4096",
        "var token = await GetTokenAsync(cancellationToken);",
        "if (password == null) throw new ArgumentNullException(nameof(password));",
        "interface Login { password: string; remember: boolean }",
        "Use Bearer authentication for the admin API",
        "PASSWORD_FILE=/run/secrets/db_password",
        "the secretary counted the tokens",
        "git@github.com:org/repo.git",
        "https://example.com:8080/path?q=1&page=2",
        "sk-learn is a python library; task-scheduler-configuration-service runs",
        "Authorization: required for admin endpoints",
        "see token.go:45: func main() and auth.cs:12",
        "AKIA prefix identifies long-term AWS keys",
        "token_type: bearer",
        "oauth: enabled",
        "grep: /etc/passwd: Permission denied",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "password=${DB_PASSWORD}",
        "PWD=/work/main",
        "The API key is stored in the vault, never in the repo.",
        "var apiKey = options.ApiKey;",
        "\"password_reset_url\": \"/account/reset\"",
        "Hash the password with Argon2, then compare in constant time.",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJq\n-----END CERTIFICATE-----",
    };
}
