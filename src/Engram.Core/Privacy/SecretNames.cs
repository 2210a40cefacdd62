namespace Engram.Core.Privacy;

/// <summary>How strongly a key name says its value is a secret.</summary>
public enum SecretNameStrength
{
    /// <summary>Not a secret's name (<c>model</c>, <c>password_reset_url</c>, <c>max_tokens</c>).</summary>
    None,

    /// <summary>Tokens, API and access keys, auth: often secrets, but the same names carry counts and switches.</summary>
    Weak,

    /// <summary>Passwords, passphrases, secrets, credentials, private, signing and encryption keys.</summary>
    Strong,
}

/// <summary>
/// The key-context rule: whether a name (a JSON key, a metadata key, an environment variable, the left
/// side of an assignment) holds a secret, and whether a value under such a name is one.
/// </summary>
/// <remarks>
/// A name is split into words (<c>DB_PASSWORD</c>, <c>apiKey</c>, <c>spring.datasource.password</c>).
/// Its last secret word decides: <c>password</c>, <c>passwd</c>, <c>passphrase</c>, <c>pass</c>,
/// <c>pwd</c>, <c>secret(s)</c>, <c>credential(s)</c>, <c>creds</c> and a <c>key</c> after private,
/// secret, signing, encryption, master or hmac are strong; <c>token</c>, <c>auth</c>, <c>cookie</c> and
/// a <c>key</c> after api, access, session, auth, client, account, shared, app, storage, admin, service
/// or webhook are weak. A bare <c>key</c> is no secret's name. Words after the secret word may qualify
/// it (<c>DB_PASSWORD_PROD</c>) unless the last one describes it instead (<c>_URL</c>, <c>_FILE</c>,
/// <c>_EXPIRY_MINUTES</c>, <c>_LENGTH</c> ...). A value under a secret name is a secret unless it is empty,
/// a reference (<c>$VAR</c>, <c>${VAR}</c>, <c>%VAR%</c>, <c>{{ var }}</c>, <c>&lt;placeholder&gt;</c>),
/// a literal (true, false, null, none, nil, undefined), already redacted, or, under a weak name only, a
/// number of up to five digits or one lower-case word of up to twelve letters (<c>token=3</c>,
/// <c>auth: required</c>).
/// </remarks>
public static class SecretNames
{
    private static readonly HashSet<string> Strong = new(StringComparer.Ordinal)
    {
        "password", "passwords", "passwd", "passphrase", "pass", "pwd", "secret", "secrets", "credential", "credentials", "creds",
        "privatekey", "secretkey", "signingkey", "encryptionkey", "masterkey", "hmackey", "clientsecret",
    };

    private static readonly HashSet<string> Weak = new(StringComparer.Ordinal)
    {
        "token", "apikey", "apikeys", "accesskey", "authkey", "auth", "authorization", "authtoken", "accesstoken", "cookie", "sessionkey",
    };

    private static readonly string[] StrongEndings = ["password", "passwd", "passphrase", "secret"];

    private static readonly HashSet<string> StrongKeyQualifiers = new(StringComparer.Ordinal)
    {
        "private", "secret", "signing", "encryption", "decryption", "master", "hmac", "jwt", "crypto",
    };

    private static readonly HashSet<string> WeakKeyQualifiers = new(StringComparer.Ordinal)
    {
        "api", "access", "session", "auth", "client", "account", "shared", "app", "storage", "admin", "service", "webhook", "subscription", "license",
    };

    private static readonly HashSet<string> Descriptive = new(StringComparer.Ordinal)
    {
        "url", "uri", "endpoint", "file", "path", "dir", "name", "type", "hash", "hashed", "length", "len", "min", "max", "limit",
        "count", "policy", "reset", "field", "label", "prompt", "hint", "expiry", "expires", "expiration", "ttl", "header",
        "env", "id", "version", "format", "cs", "md", "json", "yaml", "yml", "txt", "py", "ts", "js", "go", "minutes",
        "seconds", "secs", "hours", "days", "ms", "timeout", "size", "bytes", "interval", "retries", "attempts", "enabled",
        "enable", "disabled", "required", "mode", "kind", "strength", "regex", "pattern", "template", "prefix", "column",
        "param", "placeholder", "description", "message", "error", "status", "rotation", "lifetime", "age", "algorithm",
        "alg", "usage", "budget", "index", "location", "provider", "source", "manager", "service", "handler", "validator",
        "generator", "factory", "store", "storage", "class", "module", "exists", "set", "changed", "updated", "created",
        "valid", "invalid", "sha", "salt", "rounds", "iterations", "bits", "encoding", "charset", "policy", "rules", "input",
    };

    /// <summary>The strength of a name under the rule above.</summary>
    public static SecretNameStrength Classify(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 128) return SecretNameStrength.None;
        Span<Range> ranges = stackalloc Range[32];
        var count = SplitWords(name, ranges);
        Span<char> buffer = stackalloc char[name.Length];
        var words = new string[count];
        for (var i = 0; i < count; i++)
        {
            var word = name[ranges[i]];
            var lower = buffer[..word.Length];
            word.ToLowerInvariant(lower);
            words[i] = new string(lower);
        }

        for (var i = count - 1; i >= 0; i--)
        {
            var strength = WordStrength(words, i);
            if (strength == SecretNameStrength.None) continue;
            if (i < count - 1 && Descriptive.Contains(words[count - 1])) return SecretNameStrength.None;
            // "max_tokens", "min_password": a limit on a secret, not one.
            if (i > 0 && words[i - 1] is "max" or "min" or "num") return SecretNameStrength.None;
            return strength;
        }
        return SecretNameStrength.None;
    }

    private static SecretNameStrength WordStrength(string[] words, int i)
    {
        var word = words[i];
        if (Strong.Contains(word)) return SecretNameStrength.Strong;
        if (Weak.Contains(word)) return SecretNameStrength.Weak;
        // Run-together names: PGPASSWORD, dbpasswd, csrftoken.
        foreach (var ending in StrongEndings)
        {
            if (word.EndsWith(ending, StringComparison.Ordinal)) return SecretNameStrength.Strong;
        }
        if (word.Length > 5 && (word.EndsWith("token", StringComparison.Ordinal) || word.EndsWith("apikey", StringComparison.Ordinal))) return SecretNameStrength.Weak;
        if (word is "key" or "keys" && i > 0)
        {
            if (StrongKeyQualifiers.Contains(words[i - 1])) return SecretNameStrength.Strong;
            if (WeakKeyQualifiers.Contains(words[i - 1])) return SecretNameStrength.Weak;
        }
        return SecretNameStrength.None;
    }

    /// <summary>Words of an identifier: split at punctuation and at lower-to-upper case changes (apiKey, APIKey).</summary>
    private static int SplitWords(ReadOnlySpan<char> name, Span<Range> ranges)
    {
        var count = 0;
        var start = -1;
        for (var i = 0; i <= name.Length; i++)
        {
            var c = i < name.Length ? name[i] : ' ';
            var letterOrDigit = char.IsAsciiLetterOrDigit(c);
            var boundary = !letterOrDigit
                || (start >= 0 && i > start && char.IsAsciiLetterUpper(c)
                    && (char.IsAsciiLetterLower(name[i - 1]) || (i + 1 < name.Length && char.IsAsciiLetterLower(name[i + 1]) && char.IsAsciiLetterUpper(name[i - 1]))));
            if (boundary && start >= 0)
            {
                if (count == ranges.Length) return count;
                ranges[count++] = new Range(start, i);
                start = -1;
            }
            if (letterOrDigit && start < 0) start = i;
        }
        return count;
    }

    /// <summary>Whether a value held under a name of this strength is a secret (see the class remarks).</summary>
    public static bool IsSecretValue(SecretNameStrength strength, string? value)
    {
        if (strength == SecretNameStrength.None || value is null) return false;
        var v = value.AsSpan().Trim();
        if (v.IsEmpty || IsReference(v) || IsLiteral(v) || v.StartsWith(SecretRedactor.MarkerPrefix, StringComparison.Ordinal)) return false;
        if (strength == SecretNameStrength.Strong) return true;
        if (v.Length <= 5 && IsAll(v, char.IsAsciiDigit)) return false;
        if (v.Length <= 12 && IsAll(v, char.IsAsciiLetterLower)) return false;
        return true;
    }

    /// <summary>True for values that point at a secret rather than hold one: $VAR, ${VAR}, %VAR%, {{ var }}, &lt;placeholder&gt;.</summary>
    internal static bool IsReference(ReadOnlySpan<char> value) =>
        value.Length > 0 && (value[0] == '$' || value[0] == '%' || value.StartsWith("{{", StringComparison.Ordinal)
            || (value[0] == '<' && value[^1] == '>'));

    internal static bool IsLiteral(ReadOnlySpan<char> value) =>
        value.Equals("null", StringComparison.OrdinalIgnoreCase) || value.Equals("true", StringComparison.OrdinalIgnoreCase)
        || value.Equals("false", StringComparison.OrdinalIgnoreCase) || value.Equals("none", StringComparison.OrdinalIgnoreCase)
        || value.Equals("undefined", StringComparison.OrdinalIgnoreCase) || value.Equals("nil", StringComparison.OrdinalIgnoreCase);

    private static bool IsAll(ReadOnlySpan<char> value, Func<char, bool> test)
    {
        foreach (var c in value)
        {
            if (!test(c)) return false;
        }
        return true;
    }
}
