namespace Engram.Core.Privacy;

/// <summary>
/// Provider tokens recognised by their own shape: a fixed prefix and a body of known characters and
/// length, as the public secret-scanning rule sets describe them. Each entry names the literal that
/// must appear in a text before its pattern is run at all.
/// </summary>
internal static class SecretFormats
{
    private const string B64Url = "[A-Za-z0-9_-]";
    private const string Alnum = "[A-Za-z0-9]";
    private const string Hex = "[a-fA-F0-9]";

    public static IEnumerable<SecretRule> All()
    {
        // AI providers
        yield return Token("anthropic-key", "sk-ant-", $@"\bsk-ant-{B64Url}{{20,}}");
        yield return new SecretRule("openai-key", $@"\bsk-(?:proj|svcacct|admin)-{B64Url}{{20,}}|\bsk-{Alnum}{{20,}}", ["sk-"], false, SecretRule.TokenLike);
        yield return Token("groq-key", "gsk_", $@"\bgsk_{Alnum}{{40,}}");
        yield return Token("xai-key", "xai-", $@"\bxai-{Alnum}{{60,}}");
        yield return Token("perplexity-key", "pplx-", $@"\bpplx-{Alnum}{{40,}}");
        yield return Token("replicate-token", "r8_", $@"\br8_{Alnum}{{30,}}");
        yield return new SecretRule("huggingface-token", $@"\b(?:hf_|api_org_){Alnum}{{30,}}", ["hf_", "api_org_"], false, SecretRule.TokenLike);
        yield return Token("langsmith-key", "lsv2_", $@"\blsv2_(?:pt|sk)_{Hex}{{32}}_{Hex}{{10}}");
        yield return Token("elevenlabs-key", "sk_", $@"\bsk_{Hex}{{48}}\b");

        // Payments and commerce
        yield return Token("stripe-key", "_live_", "_test_", "whsec_", $@"\b(?:(?:sk|rk)_(?:live|test)_{Alnum}{{10,}}|whsec_{Alnum}{{20,}})");
        yield return Token("square-token", "sq0", "EAAA", $@"\b(?:sq0(?:atp|csp|idp)-{B64Url}{{22,}}|EAAA{B64Url}{{60,}})");
        yield return Token("braintree-token", "access_token$", $@"access_token\$(?:production|sandbox)\$[0-9a-z]{{16}}\${Hex}{{32}}");
        yield return Token("shopify-token", "shp", $@"\bshp(?:at|ca|pa|ss)_{Hex}{{32}}");
        yield return Token("flutterwave-key", "FLWSECK", $@"\bFLWSECK(?:_TEST)?-{Hex}{{32}}-X");
        yield return Token("shippo-token", "shippo_", $@"\bshippo_(?:live|test)_{Hex}{{40}}");
        yield return Token("duffel-token", "duffel_", $@"\bduffel_(?:test|live)_[A-Za-z0-9_=-]{{43,}}");
        yield return Token("easypost-key", "EZAK", "EZTK", $@"\bEZ[AT]K{Alnum}{{54,}}");

        // Source hosting, registries, CI
        yield return Token("github-token", "gh", "github_pat_", $@"\b(?:gh[pousr]_{Alnum}{{30,}}|github_pat_[A-Za-z0-9_]{{30,}})");
        yield return Token("gitlab-token", "gl", "GR1348941", $@"\b(?:gl(?:pat|ptt|rt|dt|soat|ffct|cbt|imt|agent|oas|ft)-{B64Url}{{20,}}|GR1348941{B64Url}{{20,}})");
        yield return Token("bitbucket-token", "ATBB", $@"\bATBB[A-Za-z0-9_=.-]{{32,}}");
        yield return Token("atlassian-token", "ATATT", "ATCTT", $@"\bAT[AC]TT3[A-Za-z0-9_=-]{{50,}}");
        yield return Token("npm-token", "npm_", $@"\bnpm_{Alnum}{{36,}}");
        yield return Token("pypi-token", "pypi-AgE", $@"\bpypi-AgE{B64Url}{{50,}}");
        yield return Token("rubygems-key", "rubygems_", $@"\brubygems_{Hex}{{48}}");
        yield return Token("clojars-token", "CLOJARS_", $@"\bCLOJARS_[a-z0-9]{{60}}");
        yield return Token("docker-token", "dckr_", $@"\bdckr_(?:pat|oat)_{B64Url}{{20,}}");
        yield return Token("buildkite-token", "bkua_", $@"\bbkua_{Hex}{{40}}");
        yield return Token("circleci-token", "CCIPAT_", $@"\bCCIPAT_{Alnum}{{22}}_{Hex}{{40}}");
        yield return Token("octopus-key", "API-", @"\bAPI-[A-Z0-9]{26,}\b");
        yield return Token("pulumi-token", "pul-", $@"\bpul-{Hex}{{40}}");
        yield return Token("terraform-token", ".atlasv1.", $@"\b{Alnum}{{14}}\.atlasv1\.[A-Za-z0-9_=-]{{60,}}");
        yield return Token("vault-token", "hvs.", "hvb.", "hvr.", $@"\bhv[sbr]\.{B64Url}{{24,}}");
        yield return Token("prefect-key", "pnu_", $@"\bpnu_{Alnum}{{36}}");
        yield return Token("infracost-key", "ico-", $@"\bico-{Alnum}{{32}}");
        yield return Token("readme-key", "rdme_", @"\brdme_[a-z0-9]{70}");
        yield return Token("scalingo-token", "tk-us-", $@"\btk-us-{B64Url}{{48}}");

        // Clouds and hosting
        yield return Token("aws-access-key-id", "A3T", "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA",
            @"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b");
        yield return Token("google-api-key", "AIza", @"\bAIza[0-9A-Za-z_-]{35}");
        yield return Token("google-oauth-secret", "GOCSPX-", $@"\bGOCSPX-{B64Url}{{28,}}");
        yield return Token("google-oauth-token", "ya29.", $@"\bya29\.{B64Url}{{20,}}");
        yield return Token("firebase-server-key", "AAAA", $@"\bAAAA{B64Url}{{7}}:{B64Url}{{100,}}");
        yield return Token("azure-client-secret", "Q~", @"\b[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}");
        yield return Token("digitalocean-token", "_v1_", $@"\bdo[opr]_v1_{Hex}{{64}}");
        yield return Token("alibaba-key-id", "LTAI", $@"\bLTAI{Alnum}{{20}}\b");
        yield return Token("heroku-key", "HRKU-", $@"\bHRKU-{B64Url}{{40,}}");
        yield return Token("flyio-token", "fo1_", "fm1", "fm2_", $@"\b(?:fo1_{B64Url}{{40,}}|fm[12][ar]?_[A-Za-z0-9+/=_-]{{60,}})");
        yield return Token("netlify-token", "nfp_", $@"\bnfp_{Alnum}{{36,}}");
        yield return Token("supabase-key", "sbp_", "sb_secret_", $@"\b(?:sbp_{Hex}{{40}}|sb_secret_{B64Url}{{20,}})");
        yield return Token("planetscale-token", "pscale_", @"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,}");
        yield return Token("databricks-token", "dapi", $@"\bdapi{Hex}{{32}}(?:-[0-9])?");
        yield return Token("dynatrace-token", "dt0c01.", @"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}");
        yield return Token("newrelic-key", "NRAK-", "NRII-", "NRJS-", @"\bNR(?:AK|II|JS)-[A-Za-z0-9]{27,}");
        yield return Token("grafana-token", "glc_", "glsa_", $@"\b(?:glc_[A-Za-z0-9+/]{{32,}}={{0,2}}|glsa_{Alnum}{{32}}_{Hex}{{8}})");
        yield return Token("sentry-token", "sntry", @"\bsntry[su]_[A-Za-z0-9+/=_-]{40,}");
        yield return Token("doppler-token", "dp.", @"\bdp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,}");
        yield return Token("cloudflare-origin-key", "v1.0-", $@"\bv1\.0-{Hex}{{24}}-{Hex}{{146}}");
        yield return Token("onepassword-token", "ops_eyJ", "A3-", @"\b(?:ops_eyJ[A-Za-z0-9+/]{50,}={0,3}|A3-[A-Z0-9]{6}-[A-Z0-9]{6,11}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})");

        // Messaging, mail, social
        yield return Token("slack-token", "xox", "xapp-", @"\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})");
        yield return new SecretRule("slack-webhook", @"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?<s>[A-Za-z0-9/_-]{10,})", ["hooks.slack.com"], false, null);
        yield return new SecretRule("discord-webhook", @"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{5,}/(?<s>[A-Za-z0-9_-]{20,})", ["/api/webhooks/"], false, null);
        yield return Token("discord-bot-token", ".", @"\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}");
        yield return Token("telegram-bot-token", ":", @"\b(?:bot)?(?<s>[0-9]{8,10}:[A-Za-z0-9_-]{35})\b");
        yield return Token("sendgrid-key", "SG.", $@"\bSG\.{B64Url}{{20,24}}\.{B64Url}{{40,50}}");
        yield return Token("twilio-key", "SK", $@"\bSK{Hex}{{32}}\b");
        yield return Token("mailgun-key", "key-", $@"\bkey-{Hex}{{32}}\b");
        yield return Token("mailchimp-key", "-us", $@"\b{Hex}{{32}}-us[0-9]{{1,2}}\b");
        yield return Token("postman-key", "PMAK-", $@"\bPMAK-{Hex}{{24}}-{Hex}{{34}}");
        yield return Token("linear-key", "lin_api_", $@"\blin_api_{Alnum}{{40}}");
        yield return Token("notion-token", "secret_", "ntn_", $@"\b(?:secret_{Alnum}{{43}}|ntn_{Alnum}{{40,}})");
        yield return Token("airtable-token", "pat", $@"\bpat{Alnum}{{14}}\.{Hex}{{64}}");
        yield return Token("figma-token", "figd_", $@"\bfigd_{B64Url}{{40,}}");
        yield return Token("contentful-token", "CFPAT-", $@"\bCFPAT-{B64Url}{{43,}}");
        yield return Token("typeform-token", "tfp_", @"\btfp_[A-Za-z0-9_.=-]{59,}");
        yield return Token("frameio-token", "fio-u-", @"\bfio-u-[A-Za-z0-9_=-]{64,}");
        yield return Token("adafruit-key", "aio_", $@"\baio_{Alnum}{{28}}\b");
        yield return Token("facebook-token", "EAA", $@"\bEAA[A-Za-z0-9]{{60,}}");
        yield return Token("twitter-bearer", "AAAAAAAAAAAAAAAAAAAAA", @"\bA{21}[A-Za-z0-9]{4,}%[A-Za-z0-9%]{20,}");
        yield return Token("dropbox-token", "sl.", $@"\bsl\.{B64Url}{{60,}}");
        yield return Token("mapbox-token", "sk.eyJ", $@"\bsk\.eyJ{B64Url}{{50,}}\.{B64Url}{{20,}}");
        yield return Token("harness-token", "pat.", $@"\bpat\.{B64Url}{{22}}\.{Hex}{{24}}\.{Alnum}{{20}}");

        // Keys and Engram's own
        yield return Token("age-secret-key", "AGE-SECRET-KEY-1", "AGE-PLUGIN-", @"\bAGE-(?:SECRET-KEY-1|PLUGIN-[A-Z0-9]+-1)[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{50,}");
        yield return new SecretRule("engram-api-key", $@"\bengram_{B64Url}{{32,}}", [Security.ApiKeySecrets.Marker], false, SecretRule.TokenLike);
        // Starts only where a base64url run starts, so a failed attempt never rescans the same run.
        yield return Token("jwt", "eyJ", @"(?:^|[^A-Za-z0-9_-])(?<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)");
    }

    /// <summary>A token rule: the last argument is the pattern, the others the literals that must be present.</summary>
    private static SecretRule Token(string kind, params string[] literalsThenPattern) =>
        new(kind, literalsThenPattern[^1], literalsThenPattern[..^1], false, null);
}
