using System.Text.RegularExpressions;

namespace Engram.Core.Privacy;

/// <summary>
/// Replaces secrets with <c>[REDACTED:&lt;kind&gt;]</c> before anything is stored: provider API keys
/// (Stripe, OpenAI, Anthropic, GitHub, AWS, Slack, Google), JWTs, bearer and basic credentials,
/// passwords in URLs and connection strings, PEM private keys, and values assigned to names that say
/// they are secret (<c>DB_PASSWORD=...</c>, <c>"api_key": "..."</c>, <c>token: ...</c>).
/// </summary>
/// <remarks>
/// Only the secret is replaced: a key name, a URL's user and host, a header name stay, so the memory
/// still says what was configured. Every pattern is anchored on a literal and bounded, so the cost is
/// linear in the input; PEM blocks, which a pattern cannot bound, are found by plain search. If a
/// pattern ever runs past its time limit, the whole text is withheld (<c>[REDACTED:unscanned-text]</c>)
/// rather than stored unscanned. Running the redactor on its own output changes nothing.
/// </remarks>
public static partial class SecretRedactor
{
    /// <summary>The marker that starts every replacement.</summary>
    public const string MarkerPrefix = "[REDACTED:";

    private const int TimeoutMs = 5000;
    private const RegexOptions Sensitive = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
    private const RegexOptions Insensitive = Sensitive | RegexOptions.IgnoreCase;

    /// <summary>The redacted text.</summary>
    public static string Redact(string? text) => RedactWithReport(text).Text;

    /// <summary>The redacted text with the number of secrets replaced, by kind.</summary>
    public static RedactionResult RedactWithReport(string? text)
    {
        if (string.IsNullOrEmpty(text)) return new RedactionResult("", NoCounts);

        Dictionary<string, int>? counts = null;
        var current = text;
        try
        {
            current = PemPrivateKeys.Redact(current, ref counts);
            foreach (var rule in Rules)
            {
                current = rule.Pattern.Replace(current, match => Replace(rule, match, current, ref counts));
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return new RedactionResult(MarkerPrefix + "unscanned-text]", new Dictionary<string, int> { ["unscanned-text"] = 1 });
        }
        return new RedactionResult(current, counts ?? NoCounts);
    }

    private static readonly IReadOnlyDictionary<string, int> NoCounts = new Dictionary<string, int>();

    private static string Replace(Rule rule, Match match, string input, ref Dictionary<string, int>? counts)
    {
        var secret = match.Groups["secret"];
        if (!secret.Success) secret = match.Groups[0];
        if (secret.Length == 0 || secret.ValueSpan.StartsWith(MarkerPrefix, StringComparison.Ordinal)) return match.Value;

        var kind = rule.Decide(match, secret.Value, input);
        if (kind is null) return match.Value;

        counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
        counts[kind] = counts.GetValueOrDefault(kind) + 1;

        var value = match.ValueSpan;
        var before = value[..(secret.Index - match.Index)];
        var after = value[(secret.Index - match.Index + secret.Length)..];
        return $"{before}{MarkerPrefix}{kind}]{after}";
    }

    /// <summary>One pattern. <see cref="Decide"/> returns the kind to report, or null to leave the match alone.</summary>
    private sealed record Rule(Regex Pattern, Func<Match, string, string, string?> Decide)
    {
        public static Rule Always(Regex pattern, string kind) => new(pattern, (_, _, _) => kind);
        public static Rule IfTokenLike(Regex pattern, string kind) => new(pattern, (_, secret, _) => LooksLikeToken(secret) ? kind : null);
    }

    // PEM private keys are found first, by PemPrivateKeys (a search, not a pattern).
    // Order matters: specific formats first, so that a key inside an assignment is reported by its
    // provider, and later rules skip what earlier ones replaced.
    private static readonly Rule[] Rules =
    [
        Rule.Always(AnthropicKey(), "anthropic-key"),
        Rule.IfTokenLike(OpenAiKey(), "openai-key"),
        Rule.Always(StripeKey(), "stripe-key"),
        Rule.Always(GitHubToken(), "github-token"),
        Rule.Always(AwsAccessKeyId(), "aws-access-key-id"),
        Rule.Always(AwsSecretKey(), "aws-secret-key"),
        Rule.Always(SlackToken(), "slack-token"),
        Rule.Always(SlackWebhook(), "slack-webhook"),
        Rule.Always(GoogleApiKey(), "google-api-key"),
        Rule.Always(Jwt(), "jwt"),
        new(AuthorizationHeader(), DecideAuthorization),
        Rule.IfTokenLike(BearerToken(), "bearer-token"),
        Rule.Always(UrlPassword(), "url-password"),
        Rule.Always(ConnectionStringPassword(), "connection-string-password"),
        new(SecretFlag(), (_, secret, _) => IsReference(secret) ? null : "secret"),
        new(SecretAssignment(), DecideAssignment),
    ];

    [GeneratedRegex(@"\bsk-ant-[A-Za-z0-9_-]{20,}", Sensitive, TimeoutMs)]
    private static partial Regex AnthropicKey();

    [GeneratedRegex(@"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", Sensitive, TimeoutMs)]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})", Sensitive, TimeoutMs)]
    private static partial Regex StripeKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})", Sensitive, TimeoutMs)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b", Sensitive, TimeoutMs)]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"\baws_?secret(?:_?access)?_?key[""']?\s*[:=]\s*[""']?(?<secret>[A-Za-z0-9/+=]{30,})", Insensitive, TimeoutMs)]
    private static partial Regex AwsSecretKey();

    [GeneratedRegex(@"\bxox[abposr]-[A-Za-z0-9-]{10,}", Sensitive, TimeoutMs)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"https://hooks\.slack\.com/services/(?<secret>[A-Za-z0-9/_-]{10,})", Sensitive, TimeoutMs)]
    private static partial Regex SlackWebhook();

    [GeneratedRegex(@"\bAIza[0-9A-Za-z_-]{35}", Sensitive, TimeoutMs)]
    private static partial Regex GoogleApiKey();

    // Starts only where a base64url run starts, so a failed attempt never rescans the same run.
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", Sensitive, TimeoutMs)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\bauthorization[""']?\s*[:=]\s*[""']?(?:(?<scheme>bearer|basic|token|digest|negotiate|apikey)\s+)?(?<secret>[^\s""',;\[\]]{8,})", Insensitive, TimeoutMs)]
    private static partial Regex AuthorizationHeader();

    [GeneratedRegex(@"\bbearer\s+(?<secret>[A-Za-z0-9._~+/=-]{8,})", Insensitive, TimeoutMs)]
    private static partial Regex BearerToken();

    // Anchored on "://" (found by a fast search); the scheme is checked behind it.
    [GeneratedRegex(@"(?<=\b[A-Za-z][A-Za-z0-9+.-]{0,30})://[^\s:/?#@\[\]""'<>]{0,256}:(?<secret>[^\s/?#@""'<>]{1,256})@", Sensitive, TimeoutMs)]
    private static partial Regex UrlPassword();

    // A password inside a connection string: after a ';', or followed by one.
    [GeneratedRegex(@";\s*(?:password|pwd)\s*=(?![=>])\s*(?<secret>[^;\r\n""']{1,256})|\b(?:password|pwd)\s*=(?![=>])\s*(?<secret>[^;\r\n""'\s=][^;\r\n""'=]{0,255});", Insensitive, TimeoutMs)]
    private static partial Regex ConnectionStringPassword();

    // Command-line flags with a separate value: --password hunter2, --token abc.
    [GeneratedRegex(@"(?<=\s|^)--(?:password|passwd|token|api-key|apikey|secret|client-secret|access-token|auth-token)[ \t]+(?<secret>[^\s""'\-][^\s""']{0,1023})", Insensitive, TimeoutMs)]
    private static partial Regex SecretFlag();

    // name = value, name: value, "name": "value", where the name says it holds a secret. The name must
    // end at a segment boundary (password, db_password, api-key.prod, not passwordHash or tokenizer).
    // The match starts at the separator, found by a fast search; the name is checked behind it.
    [GeneratedRegex(
        @"(?<=(?<name>(?:password|passwd|passphrase|(?<=[_.-])pass|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth(?:orization|[_-]?key)?)(?<suffix>(?:[_.-](?>[a-z0-9]{1,40})){0,4}))[""']?(?<before>\s*))"
        + @"(?:(?<sep>=)(?![=>])\s*|(?<sep>:)(?:[ \t]+|(?=[""'])))"
        + @"(?:""(?<secret>(?:[^""\\\r\n]|\\.){1,1024})""|'(?<secret>[^'\r\n]{1,1024})'|(?<bare>(?<secret>[^\s""'`,;&<>(){}\[\]]{1,1024})))",
        Insensitive, TimeoutMs)]
    private static partial Regex SecretAssignment();

    private static string? DecideAuthorization(Match match, string secret, string input)
    {
        var scheme = match.Groups["scheme"];
        if (scheme.Success && scheme.ValueSpan.Equals("basic", StringComparison.OrdinalIgnoreCase)) return "basic-auth";
        if (IsReference(secret)) return null;
        return scheme.Success || LooksLikeToken(secret) ? "bearer-token" : null;
    }

    private static string? DecideAssignment(Match match, string secret, string input)
    {
        if (IsReference(secret)) return null;
        var suffix = match.Groups["suffix"].ValueSpan;
        if (suffix.Length > 0 && IsDescriptiveSuffix(suffix)) return null;

        if (!match.Groups["bare"].Success) return "secret";

        // Bare (unquoted) values.
        if (IsLiteralWord(secret)) return null;
        var name = match.Groups["name"].ValueSpan;
        if (name.StartsWith("pwd", StringComparison.OrdinalIgnoreCase) && (secret[0] == '/' || secret[0] == '~')) return null; // $PWD is a directory

        // Code, not configuration: "token=get_token()", "secret=self.secret", "login(password=password)".
        var end = match.Index + match.Length;
        if (end < input.Length && input[end] == '(') return null;
        if (IsMemberPath(secret) || NamesItself(secret, name)) return null;

        var envStyle = match.Groups["sep"].ValueSpan[0] == '=' && match.Groups["before"].Length == 0
            && match.Groups["secret"].Index == match.Index + 1;
        if (envStyle) return "secret";

        // "password: string", "auth: configured": a short plain word after loose punctuation is prose or a type.
        return IsShortPlainWord(secret) ? null : "secret";
    }

    /// <summary>True for values that refer to a secret rather than hold one: $VAR, ${VAR}, %VAR%, {{ var }}.</summary>
    private static bool IsReference(string value) =>
        value.Length > 0 && (value[0] == '$' || value[0] == '%' || value.StartsWith("{{", StringComparison.Ordinal)
            || value[0] == '<');

    private static bool IsLiteralWord(string value) =>
        value.Equals("null", StringComparison.OrdinalIgnoreCase) || value.Equals("true", StringComparison.OrdinalIgnoreCase)
        || value.Equals("false", StringComparison.OrdinalIgnoreCase) || value.Equals("none", StringComparison.OrdinalIgnoreCase)
        || value.Equals("undefined", StringComparison.OrdinalIgnoreCase) || value.Equals("nil", StringComparison.OrdinalIgnoreCase);

    /// <summary>A name like <c>password_reset_url</c> or <c>TOKEN_LIMIT</c> describes a secret without holding one.</summary>
    private static bool IsDescriptiveSuffix(ReadOnlySpan<char> suffix)
    {
        var last = suffix[(suffix.LastIndexOfAny('_', '.', '-') + 1)..];
        foreach (var word in DescriptiveSuffixes)
        {
            if (last.Equals(word, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static readonly string[] DescriptiveSuffixes =
    [
        "url", "uri", "endpoint", "file", "path", "dir", "name", "type", "hash", "length", "len", "min", "max",
        "limit", "count", "policy", "reset", "field", "label", "prompt", "hint", "expiry", "expires", "ttl",
        "header", "env", "id", "version", "format", "cs", "md", "json", "yaml", "yml", "txt", "py", "ts", "js", "go",
    ];

    /// <summary>An all-letter word shorter than 16 characters.</summary>
    private static bool IsShortPlainWord(string value)
    {
        if (value.Length >= 16) return false;
        foreach (var c in value)
        {
            if (!char.IsAsciiLetter(c)) return false;
        }
        return true;
    }

    /// <summary>A dotted path of letter-only identifiers, such as <c>options.ApiKey</c> or <c>self.secret</c>.</summary>
    private static bool IsMemberPath(string value)
    {
        var segments = value.Split('.');
        if (segments.Length < 2) return false;
        foreach (var segment in segments)
        {
            if (segment.Length == 0) return false;
            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetter(c) || c == '_')) return false;
            }
        }
        return true;
    }

    /// <summary>A variable passed under its own name: <c>password=password</c>, <c>token=access_token</c>.</summary>
    private static bool NamesItself(string value, ReadOnlySpan<char> name)
    {
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        }
        if (value.AsSpan().Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
        return value.Length > name.Length && value.AsSpan().EndsWith(name, StringComparison.OrdinalIgnoreCase)
            && value[value.Length - name.Length - 1] == '_';
    }

    /// <summary>Random-looking: has a digit, or mixes cases over 16+ characters, or is 32+ characters long.</summary>
    private static bool LooksLikeToken(string value)
    {
        bool digit = false, upper = false, lower = false;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c)) digit = true;
            else if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiLetterLower(c)) lower = true;
        }
        return digit || (upper && lower && value.Length >= 16) || value.Length >= 32;
    }
}
