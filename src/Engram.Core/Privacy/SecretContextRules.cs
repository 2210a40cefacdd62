using System.Text.RegularExpressions;

namespace Engram.Core.Privacy;

/// <summary>
/// Secrets known by where they stand rather than by their shape: after a name that says it holds a
/// secret (<see cref="SecretNames"/>), in an Authorization header, a URL's password, a connection
/// string, or a command's password flag (<c>curl -u user:pw</c>, <c>mysql -pPW</c>, <c>docker login -p</c>).
/// </summary>
internal static class SecretContextRules
{
    // A value: double-quoted (JSON escapes allowed), single-quoted, JSON-escaped quotes, or bare.
    private const string FlagValue = @"(?:""(?<s>[^""\r\n]+)""|'(?<s>[^'\r\n]+)'|(?<s>[^\s""'][^\s""']*))";

    public const string AssignmentKind = "secret";

    public static IEnumerable<SecretRule> All()
    {
        yield return new SecretRule("aws-secret-key",
            @"\baws_?secret(?:_?access)?_?key\\?[""']?\s*[:=]\s*\\?[""']?(?<s>[A-Za-z0-9/+=]{30,})", ["secret"], true, null);
        yield return new SecretRule("bearer-token",
            @"\b(?:proxy-)?authorization\\?[""']?\s*[:=]\s*\\?[""']?(?:(?<scheme>bearer|basic|token|digest|negotiate|apikey|key|sso-key)\s+)?(?<s>[^\s""'\\,;\[\]]{8,})",
            ["authorization"], true, DecideAuthorization);
        yield return new SecretRule("bearer-token", @"\bbearer\s+(?<s>[A-Za-z0-9._~+/=-]{8,})", ["bearer"], true, SecretRule.TokenLike);
        yield return new SecretRule("url-password",
            @"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@\[\]""'<>\\]*:(?<s>[^\s/?#@""'<>\\]+)@", ["://"], false, null);
        yield return new SecretRule("connection-string-password",
            @";\s*(?:password|pwd)\s*=\s*(?<s>[^;\r\n""'=>][^;\r\n""']*)|\b(?:password|pwd)\s*=\s*(?<s>[^;\r\n""'\s=>][^;\r\n""'=]*);",
            ["password", "pwd"], true, (m, _, kind) => SecretNames.IsReference(SecretRule.SecretOf(m).ValueSpan.Trim()) ? null : kind);
        yield return new SecretRule("connection-string-key",
            @"\b(?:AccountKey|SharedAccessKey|SharedSecret|PrimaryKey|SecondaryKey)\s*=\s*(?<s>[A-Za-z0-9+/=]{16,})|[?&]sig=(?<s>[A-Za-z0-9%+/=]{16,})",
            ["key=", "secret=", "sig="], true, null);
        yield return new SecretRule("secret",
            @"(?:^|\s)--(?:password|passwd|pass|passphrase|token|api-key|apikey|secret|secret-key|client-secret|access-token|auth-token|access-key|private-token|db-password)[ \t]+" + FlagValue,
            ["--"], true, (m, _, kind) => SecretNames.IsSecretValue(SecretNameStrength.Strong, SecretRule.SecretOf(m).Value) && !SecretRule.SecretOf(m).Value.StartsWith('-') ? kind : null);
        yield return new SecretRule("basic-auth",
            @"(?:^|\s)(?:-u|--user|--proxy-user|-U)[ \t]*[""']?[^\s:""'/\\]+:(?<s>[^\s""'@]+)", ["-u", "--user", "-U"], false, DecideUserColonPassword);
        yield return new SecretRule("secret",
            @"\bmysql(?:dump|admin|sh|import|check|slap|binlog)?\b[^\r\n|;&]*[ \t]-p(?:""(?<s>[^""\r\n]+)""|'(?<s>[^'\r\n]+)'|(?<s>[^\s""'-][^\s""']*))",
            ["mysql"], false, null);
        yield return new SecretRule("secret",
            @"\b(?:docker|podman|buildah|skopeo|nerdctl|oras|helm\s+registry)\s+login\b[^\r\n|;&]*[ \t](?:-p|--password)(?:[ \t]+|=)" + FlagValue
            + @"|\bsshpass\s+-p[ \t]*" + FlagValue
            + @"|\bredis-cli\b[^\r\n|;&]*[ \t]-a[ \t]+" + FlagValue
            + @"|\bhtpasswd\s+(?:-[a-zA-Z]+\s+)+[^\s-]\S*\s+\S+\s+" + FlagValue
            + @"|[ \t]-(?:storepass|keypass|srcstorepass|deststorepass|passin|passout)[ \t]+(?:pass:)?" + FlagValue
            + @"|\bConvertTo-SecureString\s+(?:-String\s+)?" + FlagValue,
            ["login", "sshpass", "redis-cli", "htpasswd", "pass", "SecureString"], false,
            (m, _, kind) => SecretNames.IsReference(SecretRule.SecretOf(m).ValueSpan) || SecretRule.SecretOf(m).ValueSpan.StartsWith("-") ? null : kind);
        yield return new SecretRule("secret", @"\bmachine\s+\S+\s+login\s+\S+\s+password\s+(?<s>\S+)", ["machine"], false, null);
        yield return new SecretRule("secret",
            @"<(?<name>[A-Za-z_][A-Za-z0-9_.:-]*)>(?<s>[^<\r\n]+)</|\bkey\s*=\s*""(?<name>[^""\r\n]+)""\s+value\s*=\s*""(?<s>[^""\r\n]+)""",
            ["</", "value"], false, DecideByName);
        yield return new SecretRule("secret", @"\b(?:set-)?cookie\s*:\s*(?<s>[^\r\n""]{16,})", ["cookie"], true, SecretRule.TokenLike);
        yield return Assignment;
    }

    /// <summary>
    /// name = value, name: value, "name": "value", name =&gt; value, config['NAME'] = value, where the name
    /// contains a secret word; <see cref="DecideAssignment"/> then applies the key-context rule.
    /// </summary>
    public static readonly SecretRule Assignment = new(AssignmentKind,
        @"(?<name>[A-Za-z0-9_.-]*(?:pass|pwd|secret|token|key|auth|cred|cookie)[A-Za-z0-9_.-]*)\\?[""']?\]?(?<before>\s*)(?<sep>=>|:=|=|:)(?<gap>[ \t]*)"
        + @"(?:""(?<s>(?:[^""\\\r\n]|\\.)+)""|'(?<s>[^'\r\n]+)'|\\""(?<s>(?:[^""\\\r\n]|\\[^""\r\n])+)\\""|(?<bare>(?<s>[^\s""'`,;&<>(){}\[\]\\=][^\s""'`,;&<>(){}\[\]\\]*)))",
        ["pass", "pwd", "secret", "token", "key", "auth", "cred", "cookie"], true, DecideAssignment)
    {
        // Most matches in code and prose name no secret (monkey=, tokenizer:, _key =): turned down by their name alone.
        Quick = text => SecretNames.Classify(text[..SecretRule.IdentifierLength(text)]) != SecretNameStrength.None,
    };

    private static string? DecideAuthorization(Match match, string input, string kind)
    {
        var secret = SecretRule.SecretOf(match).ValueSpan;
        var scheme = match.Groups["scheme"];
        if (scheme.Success && scheme.ValueSpan.Equals("basic", StringComparison.OrdinalIgnoreCase)) return "basic-auth";
        if (SecretNames.IsReference(secret)) return null;
        return scheme.Success || SecretRule.LooksLikeToken(secret) ? kind : null;
    }

    /// <summary><c>-u user:pw</c>, but not a uid:gid pair such as <c>docker run -u 1000:1000</c>.</summary>
    private static string? DecideUserColonPassword(Match match, string input, string kind)
    {
        var secret = SecretRule.SecretOf(match).ValueSpan;
        if (SecretNames.IsReference(secret)) return null;
        foreach (var c in secret)
        {
            if (!char.IsAsciiDigit(c)) return kind;
        }
        return null;
    }

    private static string? DecideByName(Match match, string input, string kind) =>
        SecretNames.IsSecretValue(SecretNames.Classify(match.Groups["name"].ValueSpan), SecretRule.SecretOf(match).Value) ? kind : null;

    private static string? DecideAssignment(Match match, string input, string kind)
    {
        var name = match.Groups["name"].ValueSpan;
        var strength = SecretNames.Classify(name);
        var secret = SecretRule.SecretOf(match).Value;
        if (!SecretNames.IsSecretValue(strength, secret)) return null;
        if (!match.Groups["bare"].Success) return kind;

        // Bare (unquoted) values: code and prose use the same shapes as configuration.
        var sep = match.Groups["sep"].ValueSpan;
        var gap = match.Groups["gap"].Length;
        if (sep is ":" && gap == 0) return null; // "token:abc" is a label or a path, not an assignment
        if (IsAuthScheme(secret)) return null; // "Authorization: Bearer ...": the token after it is judged on its own
        if (name.EndsWith("pwd", StringComparison.OrdinalIgnoreCase) && secret[0] is '/' or '~') return null; // $PWD is a directory
        var end = match.Index + match.Length;
        if (end < input.Length && input[end] == '(') return null; // token=get_token()
        if (IsMemberPath(secret) || NamesItself(secret, name)) return null;

        var envStyle = sep is "=" && match.Groups["before"].Length == 0 && gap == 0;
        if (envStyle) return kind;
        // "password: string", "auth => configured": a short plain word after loose punctuation is prose or a type.
        return strength == SecretNameStrength.Strong && IsShortPlainWord(secret) ? null : kind;
    }

    private static bool IsAuthScheme(string value) =>
        value.Equals("bearer", StringComparison.OrdinalIgnoreCase) || value.Equals("basic", StringComparison.OrdinalIgnoreCase)
        || value.Equals("token", StringComparison.OrdinalIgnoreCase) || value.Equals("digest", StringComparison.OrdinalIgnoreCase)
        || value.Equals("negotiate", StringComparison.OrdinalIgnoreCase);

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
        var bare = name.TrimStart("-_.");
        if (value.AsSpan().Equals(bare, StringComparison.OrdinalIgnoreCase)) return true;
        return value.Length > bare.Length && value.AsSpan().EndsWith(bare, StringComparison.OrdinalIgnoreCase)
            && value[value.Length - bare.Length - 1] == '_';
    }
}
