namespace Engram.Testing;

/// <summary>One corpus entry: a text as it would be captured, the secret in it, and the kind the redactor reports.</summary>
public sealed record SecretSample(string Text, string Secret, string Kind)
{
    public override string ToString() => Kind + ": " + (Text.Length > 60 ? Text[..60] + "…" : Text);
}

/// <summary>
/// Secrets in the formats of the public secret-scanning rule sets (gitleaks, trufflehog, GitHub secret
/// scanning), each in a realistic setting. Every value is fake: generated from a fixed seed to have the
/// real format's prefix, alphabet and length.
/// </summary>
public static partial class SecretCorpus
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string B64Url = Alnum + "_-";
    private const string B64 = Alnum + "+/";
    private const string Hex = "0123456789abcdef";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Lower = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string Bech32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

    private static string R(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
        // A real token of this length has at least one digit; make sure the fake one does too.
        if (alphabet.Contains('7', StringComparison.Ordinal) && !chars.Any(char.IsAsciiDigit)) chars[length / 2] = '7';
        return new string(chars);
    }

    /// <summary>The whole corpus: provider formats, context formats and the earlier hand-written cases.</summary>
    public static IReadOnlyList<SecretSample> Samples { get; } = [.. Providers(), .. Contexts(), .. Classic()];

    /// <summary>The corpus as xunit theory data (text, secret, kind).</summary>
    public static TheoryData<SecretSample> Data
    {
        get
        {
            var data = new TheoryData<SecretSample>();
            foreach (var sample in Samples) data.Add(sample);
            return data;
        }
    }

    private static IEnumerable<SecretSample> Providers()
    {
        var r = new Random(20261130);
        SecretSample S(string before, string secret, string after, string kind) => new(before + secret + after, secret, kind);

        yield return S("export ANTHROPIC_API_KEY=", "sk-ant-api03-" + R(r, B64Url, 93) + "AA", "", "anthropic-key");
        yield return S("client = OpenAI(api_key=\"", "sk-proj-" + R(r, B64Url, 120), "\")", "openai-key");
        yield return S("legacy key ", "sk-" + R(r, Alnum, 48), " was rotated", "openai-key");
        yield return S("GROQ_API_KEY=", "gsk_" + R(r, Alnum, 52), "", "groq-key");
        yield return S("xai: ", "xai-" + R(r, Alnum, 80), "", "xai-key");
        yield return S("pplx key ", "pplx-" + R(r, Alnum, 48), "", "perplexity-key");
        yield return S("REPLICATE_API_TOKEN=", "r8_" + R(r, Alnum, 37), "", "replicate-token");
        yield return S("huggingface-cli login --token ", "hf_" + R(r, Alnum, 34), "", "huggingface-token");
        yield return S("used ", "hf_" + R(r, Alnum, 34), " to pull the gated model", "huggingface-token");
        yield return S("LANGCHAIN_API_KEY=", "lsv2_pt_" + R(r, Hex, 32) + "_" + R(r, Hex, 10), "", "langsmith-key");
        yield return S("xi-api-key: ", "sk_" + R(r, Hex, 48), "", "elevenlabs-key");
        yield return S("stripe listen --api-key ", "sk_live_" + R(r, Alnum, 99), "", "stripe-key");
        yield return S("SQUARE_TOKEN=", "EAAA" + R(r, B64Url, 60), "", "square-token");
        yield return S("square oauth secret ", "sq0csp-" + R(r, B64Url, 43), "", "square-token");
        yield return S("gateway = braintree.BraintreeGateway(access_token=\"", "access_token$production$" + R(r, Lower, 16) + "$" + R(r, Hex, 32), "\")", "braintree-token");
        yield return S("X-Shopify-Access-Token: ", "shpat_" + R(r, Hex, 32), "", "shopify-token");
        yield return S("FLW_SECRET_KEY=", "FLWSECK_TEST-" + R(r, Hex, 32) + "-X", "", "flutterwave-key");
        yield return S("shippo token ", "shippo_live_" + R(r, Hex, 40), "", "shippo-token");
        yield return S("duffel ", "duffel_test_" + R(r, B64Url, 43), "", "duffel-token");
        yield return S("EASYPOST_API_KEY=", "EZAK" + R(r, Alnum, 54), "", "easypost-key");
        yield return S("git push https://", "ghp_" + R(r, Alnum, 36), "@github.com/org/repo.git", "github-token");
        yield return S("refresh ", "ghr_" + R(r, Alnum, 76), "", "github-token");
        yield return S("GITLAB_TOKEN=", "glpat-" + R(r, B64Url, 20), "", "gitlab-token");
        yield return S("trigger with token=", "glptt-" + R(r, Hex, 40), "&ref=main", "gitlab-token");
        yield return S("gitlab-runner register --token ", "glrt-" + R(r, B64Url, 20), "", "gitlab-token");
        yield return S("bitbucket app password ", "ATBB" + R(r, Alnum, 32), "", "bitbucket-token");
        yield return S("JIRA_API_TOKEN=", "ATATT3xFfGF0" + R(r, B64Url, 180), "", "atlassian-token");
        yield return S("token ", "npm_" + R(r, Alnum, 36), " published the package", "npm-token");
        yield return S("//registry.npmjs.org/:_authToken=", "npm_" + R(r, Alnum, 36), "", "npm-token");
        yield return S("password = ", "pypi-AgEIcHlwaS5vcmc" + R(r, B64Url, 70), "", "pypi-token");
        yield return S("twine upload -p ", "pypi-AgEIcHlwaS5vcmc" + R(r, B64Url, 60), " dist/*", "pypi-token");
        yield return S("GEM_HOST_API_KEY=", "rubygems_" + R(r, Hex, 48), "", "rubygems-key");
        yield return S("clojars deploy token ", "CLOJARS_" + R(r, Lower, 60), "", "clojars-token");
        yield return S("echo ", "dckr_pat_" + R(r, B64Url, 27), " | docker login -u me --password-stdin", "docker-token");
        yield return S("BUILDKITE_API_TOKEN=", "bkua_" + R(r, Hex, 40), "", "buildkite-token");
        yield return S("circle-token: ", "CCIPAT_" + R(r, Alnum, 22) + "_" + R(r, Hex, 40), "", "circleci-token");
        yield return S("octopus ", "API-" + R(r, Upper, 27), "", "octopus-key");
        yield return S("PULUMI_ACCESS_TOKEN=", "pul-" + R(r, Hex, 40), "", "pulumi-token");
        yield return S("credentials \"app.terraform.io\" { token = \"", R(r, Alnum, 14) + ".atlasv1." + R(r, B64Url, 67), "\" }", "terraform-token");
        yield return S("VAULT_TOKEN=", "hvs." + R(r, B64Url, 90), "", "vault-token");
        yield return S("prefect cloud login -k ", "pnu_" + R(r, Alnum, 36), "", "prefect-key");
        yield return S("infracost ", "ico-" + R(r, Alnum, 32), "", "infracost-key");
        yield return S("readme ", "rdme_" + R(r, Lower, 70), "", "readme-key");
        yield return S("scalingo login --api-token ", "tk-us-" + R(r, B64Url, 48), "", "scalingo-token");
        yield return S("aws_access_key_id = ", "AKIA" + R(r, Upper, 16), "", "aws-access-key-id");
        yield return S("role session ", "ASIA" + R(r, Upper, 16), " expired", "aws-access-key-id");
        yield return S("maps ", "AIza" + R(r, B64Url, 35), "", "google-api-key");
        yield return S("\"client_secret\":\"", "GOCSPX-" + R(r, B64Url, 28), "\"", "google-oauth-secret");
        yield return S("curl -H 'X-Goog-User-Project: p' -d token=", "ya29." + R(r, B64Url, 150), "", "google-oauth-token");
        yield return S("fcm server key ", "AAAA" + R(r, B64Url, 7) + ":" + R(r, B64Url, 140), "", "firebase-server-key");
        yield return S("AZURE_CLIENT_SECRET=", R(r, Alnum, 3) + "8Q~" + R(r, Alnum, 34), "", "azure-client-secret");
        yield return S("doctl auth init -t ", "dop_v1_" + R(r, Hex, 64), "", "digitalocean-token");
        yield return S("DIGITALOCEAN_OAUTH=", "doo_v1_" + R(r, Hex, 64), "", "digitalocean-token");
        yield return S("alibaba ", "LTAI" + R(r, Alnum, 20), "", "alibaba-key-id");
        yield return S("HEROKU_API_KEY=", "HRKU-AA" + R(r, B64Url, 58), "", "heroku-key");
        yield return S("fly tokens: ", "fo1_" + R(r, B64Url, 43), "", "flyio-token");
        yield return S("NETLIFY_AUTH_TOKEN=", "nfp_" + R(r, Alnum, 36), "", "netlify-token");
        yield return S("supabase login --token ", "sbp_" + R(r, Hex, 40), "", "supabase-key");
        yield return S("pscale auth ", "pscale_tkn_" + R(r, B64Url, 43), "", "planetscale-token");
        yield return S("DATABRICKS_TOKEN=", "dapi" + R(r, Hex, 32), "", "databricks-token");
        yield return S("Api-Token ", "dt0c01." + R(r, Upper, 24) + "." + R(r, Upper, 64), "", "dynatrace-token");
        yield return S("NEW_RELIC_API_KEY=", "NRAK-" + R(r, Upper, 27), "", "newrelic-key");
        yield return S("grafana sa ", "glsa_" + R(r, Alnum, 32) + "_" + R(r, Hex, 8), "", "grafana-token");
        yield return S("SENTRY_AUTH_TOKEN=", "sntrys_eyJpYXQiOjE3" + R(r, B64Url, 60), "", "sentry-token");
        yield return S("DOPPLER_TOKEN=", "dp.st.prd." + R(r, Alnum, 43), "", "doppler-token");
        yield return S("OP_SERVICE_ACCOUNT_TOKEN=", "ops_eyJzaWduSW5BZGRyZXNzIjoi" + R(r, Alnum, 120), "", "onepassword-token");
        yield return S("SLACK_BOT=", "xoxb-" + R(r, "0123456789", 12) + "-" + R(r, "0123456789", 13) + "-" + R(r, Alnum, 24), "", "slack-token");
        yield return S("socket mode ", "xapp-1-A" + R(r, Upper, 10) + "-" + R(r, "0123456789", 13) + "-" + R(r, Hex, 64), "", "slack-token");
        yield return S("post to https://hooks.slack.com/services/", "T" + R(r, Upper, 8) + "/B" + R(r, Upper, 10) + "/" + R(r, Alnum, 24), " now", "slack-webhook");
        yield return S("webhook https://discord.com/api/webhooks/1234567890123456789/", R(r, B64Url, 68), "", "discord-webhook");
        yield return S("DISCORD_BOT_TOKEN=", "MT" + R(r, Alnum, 24) + "." + R(r, B64Url, 6) + "." + R(r, B64Url, 38), "", "discord-bot-token");
        yield return S("bot = Bot(token='", "1234567890:AA" + R(r, B64Url, 33), "')", "telegram-bot-token");
        yield return S("https://api.telegram.org/bot", "7012345678:AA" + R(r, B64Url, 33), "/sendMessage", "telegram-bot-token");
        yield return S("sendgrid: ", "SG." + R(r, B64Url, 22) + "." + R(r, B64Url, 43), "", "sendgrid-key");
        yield return S("twilio api key ", "SK" + R(r, Hex, 32), " with its secret", "twilio-key");
        yield return S("mailgun ", "key-" + R(r, Hex, 32), "", "mailgun-key");
        yield return S("MAILCHIMP_KEY=", R(r, Hex, 32) + "-us21", "", "mailchimp-key");
        yield return S("postman ", "PMAK-" + R(r, Hex, 24) + "-" + R(r, Hex, 34), "", "postman-key");
        yield return S("LINEAR_API_KEY=", "lin_api_" + R(r, Alnum, 40), "", "linear-key");
        yield return S("notion integration ", "ntn_" + R(r, Alnum, 46), "", "notion-token");
        yield return S("airtable ", "pat" + R(r, Alnum, 14) + "." + R(r, Hex, 64), "", "airtable-token");
        yield return S("X-Figma-Token: ", "figd_" + R(r, B64Url, 40), "", "figma-token");
        yield return S("contentful ", "CFPAT-" + R(r, B64Url, 43), "", "contentful-token");
        yield return S("typeform ", "tfp_" + R(r, B64Url, 59), "", "typeform-token");
        yield return S("frame.io ", "fio-u-" + R(r, B64Url, 64), "", "frameio-token");
        yield return S("ADAFRUIT_IO_KEY=", "aio_" + R(r, Alnum, 28), "", "adafruit-key");
        yield return S("fb graph ", "EAA" + R(r, Alnum, 180), "", "facebook-token");
        yield return S("twitter bearer ", "AAAAAAAAAAAAAAAAAAAAA" + R(r, Alnum, 20) + "%2B" + R(r, Alnum, 50), "", "twitter-bearer");
        yield return S("dropbox ", "sl." + R(r, B64Url, 135), "", "dropbox-token");
        yield return S("MAPBOX_SECRET=", "sk.eyJ1Ijoi" + R(r, B64Url, 60) + "." + R(r, B64Url, 22), "", "mapbox-token");
        yield return S("harness ", "pat." + R(r, B64Url, 22) + "." + R(r, Hex, 24) + "." + R(r, Alnum, 20), "", "harness-token");
        yield return S("# public key: age1...\n", "AGE-SECRET-KEY-1" + R(r, Bech32, 58), "\n", "age-secret-key");
        yield return S("engram server key: ", "engram_" + R(r, B64Url, 43), "", "engram-api-key");
        yield return S("curl -H 'Authorization: Bearer ", "engram_" + R(r, B64Url, 43), "' http://127.0.0.1:37777/api/v1/memories", "engram-api-key");
    }

    private static IEnumerable<SecretSample> Contexts()
    {
        var r = new Random(1130);
        SecretSample S(string before, string secret, string after, string kind) => new(before + secret + after, secret, kind);

        yield return S("DefaultEndpointsProtocol=https;AccountName=shopprod;AccountKey=", R(r, B64, 86) + "==", ";EndpointSuffix=core.windows.net", "connection-string-key");
        yield return S("Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=", R(r, B64, 43) + "=", "", "connection-string-key");
        yield return S("https://acct.blob.core.windows.net/c/f.zip?sv=2022-11-02&se=2026-12-01&sig=", R(r, Alnum, 40) + "%3D", "", "connection-string-key");
        yield return S("curl -u admin:", "Pr0d" + R(r, Alnum, 10), " https://jenkins.internal/api/json", "basic-auth");
        yield return S("curl --user deploy:", R(r, Alnum, 16), " -X POST https://ci/job", "basic-auth");
        yield return S("mysql -h db -u root -p", "Xq" + R(r, Alnum, 12), " shop < dump.sql", "secret");
        yield return S("mysqldump -uroot -p'", "s3cret " + R(r, Alnum, 6), "' shop > shop.sql", "secret");
        yield return S("docker login -u ci -p ", R(r, Alnum, 20), " registry.example.com", "secret");
        yield return S("docker login registry.gitlab.com --username ci --password=", R(r, Alnum, 20), "", "secret");
        yield return S("sshpass -p '", "rootpw" + R(r, Alnum, 6), "' ssh root@10.0.0.5", "secret");
        yield return S("redis-cli -h cache -a ", R(r, Alnum, 18), " ping", "secret");
        yield return S("keytool -list -keystore app.jks -storepass ", "changeit" + R(r, Lower, 6), "", "secret");
        yield return S("openssl pkcs12 -in cert.p12 -passin pass:", "P12" + R(r, Alnum, 10), " -nodes", "secret");
        yield return S("$pw = ConvertTo-SecureString '", "Adm1n" + R(r, Alnum, 8), "' -AsPlainText -Force", "secret");
        yield return S("ENCRYPTION_KEY=", R(r, B64, 43) + "=", "", "secret");
        yield return S("app.config['SECRET_KEY'] = '", R(r, Alnum, 24), "'", "secret");
        yield return S("os.environ[\"JWT_SIGNING_KEY\"] = \"", R(r, Alnum, 32), "\"", "secret");
        yield return S("{\"kid\":\"k1\",\"signing_key\": \"", R(r, B64Url, 43), "\"}", "secret");
        yield return S("MASTER_KEY=", R(r, Hex, 32), "", "secret");
        yield return S("rails: secret_key_base: ", R(r, Hex, 128), "", "secret");
        yield return S("TWILIO_AUTH_TOKEN=", R(r, Hex, 32), "", "secret");
        yield return S("export CLOUDFLARE_API_TOKEN=", R(r, B64Url, 40), "", "secret");
        yield return S("SNYK_TOKEN=", $"{R(r, Hex, 8)}-{R(r, Hex, 4)}-4{R(r, Hex, 3)}-a{R(r, Hex, 3)}-{R(r, Hex, 12)}", "", "secret");
        yield return S("spring.datasource.password=", "Spr1ng" + R(r, Alnum, 8), "", "secret");
        yield return S("<add key=\"StripeApiKey\" value=\"", "live_" + R(r, Alnum, 24), "\" />", "secret");
        yield return S("<password>", "Xml" + R(r, Alnum, 10), "</password>", "secret");
        yield return S("machine api.heroku.com login me@example.com password ", R(r, Hex, 32), "", "secret");
        yield return S(":password => \"", "Ruby" + R(r, Alnum, 8), "\"", "secret");
        yield return S("db := Open(Config{Password: \"", "Go" + R(r, Alnum, 12), "\"})", "secret");
        yield return S("$env:OPENAI_API_KEY = \"", R(r, Alnum, 40), "\"", "secret");
        yield return S("Cookie: session=", R(r, Alnum, 40), "; theme=dark", "secret");
        yield return S("{\"tool_input\":{\"command\":\"psql\",\"env\":{\"PGPASSWORD\":\"", "pg" + R(r, Alnum, 10), "\"}}}", "secret");
        yield return S("{\\\"password\\\":\\\"", "Esc" + R(r, Alnum, 10), "\\\"}", "secret");
        yield return S("git clone https://oauth2:", R(r, B64Url, 20), "@gitlab.example.com/group/app.git", "url-password");
        yield return S("mongodb+srv://app:", R(r, Alnum, 16), "@cluster0.mongodb.net/prod", "url-password");
        yield return S("helm registry login ghcr.io -u me --password ", R(r, Alnum, 24), "", "secret");
        yield return S("htpasswd -b -c .htpasswd admin ", "Ht" + R(r, Alnum, 10), "", "secret");
        yield return S("secrets:\n  stripe_secret: ", R(r, Alnum, 30), "\n", "secret");
    }

    /// <summary>Ordinary text that looks a little like a secret and must survive unchanged.</summary>
    public static TheoryData<string> NearMisses
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var text in Innocents) data.Add(text);
            return data;
        }
    }
}
