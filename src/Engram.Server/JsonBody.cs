using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Engram.Server;

/// <summary>
/// Reads a JSON request body, turning every way it can be wrong into a problem-details answer that
/// names the problem: not JSON (415), malformed (400), a field of the wrong type (400), too large (413).
/// </summary>
internal static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, bool optional = false)
        where T : class
    {
        if (optional && request.ContentLength is 0 or null && !request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return (null, null);
        }
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Make(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "send a JSON body with Content-Type: application/json"));
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted);
            return value is null
                ? (null, Problems.Make(StatusCodes.Status400BadRequest, "Invalid body", "the body must be a JSON object, not null"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? null : ex.Path.TrimStart('$', '.');
            // The reader's own exception type means the text is not JSON; anything else is valid JSON of the wrong shape.
            var wrongType = ex.InnerException?.GetType().Name != "JsonReaderException"
                && !ex.Message.Contains("is an invalid", StringComparison.Ordinal)
                && !ex.Message.Contains("expected end of", StringComparison.OrdinalIgnoreCase);
            if (wrongType && field is not null)
            {
                var expected = Declared(typeInfo, field) ?? Expected(ex.Message + " " + ex.InnerException?.Message);
                return (null, Problems.Make(StatusCodes.Status400BadRequest, "Wrong type",
                    $"field '{field}' has the wrong type; expected {expected}"));
            }
            if (wrongType)
            {
                return (null, Problems.Make(StatusCodes.Status400BadRequest, "Wrong type", "the body must be a JSON object"));
            }
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}" : "";
            return (null, Problems.Make(StatusCodes.Status400BadRequest, "Malformed JSON", $"the body is not valid JSON{where}"));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Problems.Make(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Bad request",
                ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "the request body is larger than this server accepts (Server:MaxRequestBytes)" : ex.Message));
        }
    }

    /// <summary>What a top-level field of the body is declared as, in JSON terms; null for nested paths.</summary>
    private static string? Declared<T>(JsonTypeInfo<T> typeInfo, string field)
    {
        var property = typeInfo.Properties.FirstOrDefault(p => p.Name == field);
        if (property is null) return null;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number";
        if (type != typeof(string) && typeof(System.Collections.IDictionary).IsAssignableFrom(type)
            || type.IsGenericType && type.GetGenericTypeDefinition().Name.StartsWith("IReadOnlyDictionary", StringComparison.Ordinal)) return "an object";
        if (type.IsArray || typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) return "an array";
        return "an object";
    }

    /// <summary>A JSON-flavoured name for the .NET type named in a conversion error.</summary>
    private static string Expected(string message)
    {
        string[] numbers = ["Int32", "Int64", "Double", "Single", "Decimal"];
        if (message.Contains("as a number", StringComparison.Ordinal) || numbers.Any(n => message.Contains("System." + n, StringComparison.Ordinal))) return "a number";
        if (message.Contains("as a boolean", StringComparison.Ordinal) || message.Contains("System.Boolean", StringComparison.Ordinal)) return "true or false";
        if (message.Contains("as a string", StringComparison.Ordinal) || message.Contains("System.String", StringComparison.Ordinal)) return "a string";
        if (message.Contains("List`1", StringComparison.Ordinal)) return "an array";
        if (message.Contains("Dictionary`2", StringComparison.Ordinal) || message.Contains("Body", StringComparison.Ordinal)) return "an object";
        return "another type";
    }
}

/// <summary>RFC 9457 problem-details answers.</summary>
internal static class Problems
{
    public static IResult Make(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    public static IResult NotFound(string id) =>
        Make(StatusCodes.Status404NotFound, "Not found", $"memory {id} not found");

    public static IResult BadRequest(string detail) => Make(StatusCodes.Status400BadRequest, "Invalid request", detail);
}
