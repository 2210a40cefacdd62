namespace Engram.Testing;

public static partial class SecretCorpus
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

    /// <summary>The hand-written cases the redactor started with.</summary>
    private static IEnumerable<SecretSample> Classic()
    {
        yield return new("STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key");
        yield return new("stripe.api_key(\"sk_test_51H8xYzAbCdEfGhIjKlMnOpQr\")", "sk_test_51H8xYzAbCdEfGhIjKlMnOpQr", "stripe-key");
        yield return new("restricted rk_live_51AbCdEfGhIjKlMnOp12 in use", "rk_live_51AbCdEfGhIjKlMnOp12", "stripe-key");
        yield return new("webhook secret whsec_abcdefghijklmnopqrstuvwx12", "whsec_abcdefghijklmnopqrstuvwx12", "stripe-key");
        yield return new("OpenAI key sk-abcdefghij1234567890ABCDEFGHIJ1234567890abcdefgh works", "sk-abcdefghij1234567890ABCDEFGHIJ1234567890abcdefgh", "openai-key");
        yield return new("client = OpenAI(api_key=\"sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Ab-Cd7\")", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Ab-Cd7", "openai-key");
        yield return new("export ANTHROPIC_API_KEY=sk-ant-api03-abcDEF123456ghiJKL789012mnoPQR345678-stuVWX_yz", "sk-ant-api03-abcDEF123456ghiJKL789012mnoPQR345678-stuVWX_yz", "anthropic-key");
        yield return new("token ghp_1234567890abcdefghijABCDEFGHIJ123456 expired", "ghp_1234567890abcdefghijABCDEFGHIJ123456", "github-token");
        yield return new("gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a", "github-token");
        yield return new("GH_TOKEN=ghs_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "ghs_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "github-token");
        yield return new("(ghu_0123456789ABCDEFGHIJabcdefghij012345)", "ghu_0123456789ABCDEFGHIJabcdefghij012345", "github-token");
        yield return new("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123", "github-token");
        yield return new("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "aws-access-key-id");
        yield return new("temporary ASIAY34FZKBOKMUTVV7A credentials", "ASIAY34FZKBOKMUTVV7A", "aws-access-key-id");
        yield return new("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-key");
        yield return new("SLACK_BOT=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack-token");
        yield return new("user token xoxp-2222222222-3333333333-444444444444-abcdef0123456789", "xoxp-2222222222-3333333333-444444444444-abcdef0123456789", "slack-token");
        yield return new("post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now", "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack-webhook");
        yield return new("maps key AIzaSyD4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T in config", "AIzaSyD4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T", "google-api-key");
        yield return new("jwt=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0", "jwt");
        yield return new("Authorization: Bearer abc123def456ghi789jkl", "abc123def456ghi789jkl", "bearer-token");
        yield return new("curl -H \"Authorization: Basic dXNlcjpwYXNzd29yZA==\" https://api.example.com", "dXNlcjpwYXNzd29yZA==", "basic-auth");
        yield return new("send it with Bearer 7f9a8b6c5d4e3f2a1b0c please", "7f9a8b6c5d4e3f2a1b0c", "bearer-token");
        yield return new("DATABASE_URL=postgres://admin:S3cr3tP%40ss@db.internal:5432/app", "S3cr3tP%40ss", "url-password");
        yield return new("git clone https://user:tok_abc123@github.com/org/repo", "tok_abc123", "url-password");
        yield return new("REDIS=redis://:r3disPass@cache:6379/0", "r3disPass", "url-password");
        yield return new("DB_PASSWORD=hunter2", "hunter2", "secret");
        yield return new("PASSWORD=hunter", "hunter", "secret");
        yield return new("login(password=Winter2024)", "Winter2024", "secret");
        yield return new("export GITHUB_TOKEN=abcdef123456", "abcdef123456", "secret");
        yield return new("{\"client_secret\": \"a1b2c3d4e5f6\"}", "a1b2c3d4e5f6", "secret");
        yield return new("api_key: 9f8e7d6c5b4a", "9f8e7d6c5b4a", "secret");
        yield return new("{\"password\":\"p@ss w0rd!\"}", "p@ss w0rd!", "secret");
        yield return new("password: hunter2", "hunter2", "secret");
        yield return new("passwd = \"letmein\"", "letmein", "secret");
        yield return new("SECRET_KEY='django-insecure-abc123'", "django-insecure-abc123", "secret");
        yield return new("X-Api-Key: 0a1b2c3d4e5f60718293", "0a1b2c3d4e5f60718293", "secret");
        yield return new("AUTH_TOKEN=\"abc.def.ghi123\"", "abc.def.ghi123", "secret");
        yield return new("private_key = \"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\"", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "secret");
        yield return new("GET /cb?access_token=ya29a0AfH6SMBx123&expires=3600", "ya29a0AfH6SMBx123", "secret");
        yield return new("DB_PASS=correct-horse-battery", "correct-horse-battery", "secret");
        yield return new("const accessToken = \"a1b2c3d4e5\";", "a1b2c3d4e5", "secret");
        yield return new("Proxy-Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l", "YWxhZGRpbjpvcGVuc2VzYW1l", "basic-auth");
        yield return new("MY_APP_CLIENT_SECRET_PROD=Zx9!kq2@", "Zx9!kq2@", "secret");
        yield return new("mysql -u root --password Sup3rS3cret shop", "Sup3rS3cret", "secret");
        yield return new("\"apiKey\": \"live_123456\"", "live_123456", "secret");
        yield return new("Server=db;Database=app;User Id=sa;Password=Pa55 w0rd!;Encrypt=true", "Pa55 w0rd!", "connection-string-password");
        yield return new("Host=localhost;Username=postgres;pwd=s3cret;", "s3cret", "connection-string-password");
        yield return new("key file:\n" + PemRsa + "\nend of file", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "private-key");
        yield return new(PemOpenSsh, "QyNTUxOQAAACDy2yq7PyRzrqdhKTpgsCZ5ZVrl2lPRyqMdGhEVvcc9kgAAAJgu6sEPLurB", "private-key");
        yield return new("{\"key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n\"}", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "private-key");
        yield return new("pasted -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49", "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49", "private-key");
    }

    /// <summary>Look-alikes: text that resembles a secret, or names one, and must survive unchanged.</summary>
    public static IReadOnlyList<string> Innocents { get; } =
    [
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
        "TOKEN_LIMIT=500 and x-auth-url: https://auth.example.com/login",
        "if (token != expected && password.Length < 12) return;",
        "const string TokenHeader = \"X-Token\";",
        "user = login(username, password=password)",
        "client = Client(token=self.token, api_key=get_api_key())",
        "requests.post(url, auth=auth, secret=config.secret)",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJq\n-----END CERTIFICATE-----",
        "token=3",
        "PASSWORD_RESET_TOKEN_EXPIRY_MINUTES=30",
        "we kept sk-learn-model-v2-final-checkpoint as the baseline",
        "merged 9fceb02d0ae598e95dc970b74767f19372d61af8 into main",
        "short sha 9fceb02 and tag v2.3.1",
        "trace 0f8fad5b-d9cb-469f-a165-70867728950e failed",
        "![diagram](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
        "max_tokens: 1024, temperature: 0.2",
        "\"usage\": {\"input_tokens\": 1532, \"output_tokens\": 211}",
        "tokenizer = AutoTokenizer.from_pretrained(\"bert-base-uncased\")",
        "hf_hub_download(repo_id=\"org/model\", filename=\"config.json\")",
        "npm_config_cache=/tmp/npm-cache npm ci",
        "ENGRAM_HOME=/home/dev/.engram and engram_home_default",
        "see SG. 4.2 of the style guide",
        "part SK-1234 ships in March",
        "meeting at 12:30:45 in room 4",
        "the Discord bot reads its token from the environment",
        "AccountName=devstoreaccount1;BlobEndpoint=http://127.0.0.1:10000/",
        "mysql -h db.internal -P 3306 -u app shop",
        "docker login -u ci registry.example.com --password-stdin",
        "curl -u $USER:$TOKEN https://api.example.com",
        "docker run -u 1000:1000 app",
        "pip install pypi-simple-server",
        "ssh-keygen -t ed25519 -C dev@example.com",
        "age-encryption.org/v1 header",
        "password_hash = bcrypt.hashpw(pw, salt)",
        "api_key_id=12345",
        "token_count: 512",
        "secret_santa_pairs.csv",
        "SESSION_TIMEOUT=3600",
        "auth: required",
        "\"password\": \"\"",
        "API_KEY=${API_KEY}",
        "Set the SECRET_KEY environment variable before starting.",
        "keyboard layout: us",
        "primary_key: id",
        "export PATH=$HOME/.dotnet:$PATH",
        "version: 1.2.3-beta.4",
        "Encrypt=true;TrustServerCertificate=false",
        "http://localhost:5173/?page=2&sort=desc",
        "base64 -d <<< aGVsbG8=",
        "the tokens are counted per request",
        "a < b && c > d",
        "List<string> names = new();",
        "[REDACTED:secret] was already removed",
        "AKIA is how AWS access key ids start",
        "xoxb tokens belong to bots",
    ];
}
