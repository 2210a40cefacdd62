using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Engram.Agents.Adapters;

/// <summary>
/// The JSON an agent's hook receives on stdin (Claude Code's fields; Codex and Gemini CLI send the same base). Parsing is tolerant: unknown fields are ignored,
/// missing ones stay null, and a field of the wrong type counts as missing. It never throws on bad
/// input: a payload that is not valid JSON keeps the fields read before the error and says why in
/// <see cref="ParseError"/>.
/// </summary>
/// <remarks>
/// Runs on every tool call, so it reads with <see cref="Utf8JsonReader"/> straight from the bytes,
/// matches names without allocating, and keeps <c>tool_input</c>/<c>tool_response</c> as raw JSON text.
/// </remarks>
public sealed class HookPayload
{
    public string? SessionId { get; private set; }
    public string? TranscriptPath { get; private set; }
    public string? Cwd { get; private set; }
    /// <summary>Claude Code's event name, such as <c>PostToolUse</c>.</summary>
    public string? HookEventName { get; private set; }
    /// <summary>The user's prompt (UserPromptSubmit).</summary>
    public string? Prompt { get; private set; }
    public string? ToolName { get; private set; }
    /// <summary>The tool's input as raw JSON text (an object for the built-in tools).</summary>
    public string? ToolInputJson { get; private set; }
    /// <summary>The tool's result as raw JSON text: an object, or a JSON string for tools that answer in text.</summary>
    public string? ToolResponseJson { get; private set; }
    public string? ToolUseId { get; private set; }
    /// <summary>The final assistant text of the turn (Stop, when Claude Code provides it).</summary>
    public string? LastAssistantMessage { get; private set; }
    /// <summary>Why a session started: <c>startup</c>, <c>resume</c>, <c>clear</c> or <c>compact</c>.</summary>
    public string? Source { get; private set; }
    /// <summary>Why a session ended: <c>clear</c>, <c>logout</c>, <c>prompt_input_exit</c>, <c>other</c>.</summary>
    public string? Reason { get; private set; }
    /// <summary>True when Claude Code is already continuing because of a Stop hook.</summary>
    public bool? StopHookActive { get; private set; }
    public string? PermissionMode { get; private set; }
    /// <summary>What started a compaction: <c>manual</c> or <c>auto</c> (PreCompact).</summary>
    public string? Trigger { get; private set; }
    /// <summary>Instructions given to <c>/compact</c> (PreCompact).</summary>
    public string? CustomInstructions { get; private set; }
    /// <summary>What went wrong with a failed tool call (PostToolUseFailure), such as "Exit code 1\n...".</summary>
    public string? Error { get; private set; }
    /// <summary>The agent's final answer of the turn (Gemini CLI's AfterAgent).</summary>
    public string? PromptResponse { get; private set; }
    /// <summary>Why the payload could not be read completely, or null when it was valid JSON.</summary>
    public string? ParseError { get; private set; }

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 512,
    };

    /// <summary>Parses a UTF-8 payload (a byte order mark is allowed).</summary>
    public static HookPayload Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        var payload = new HookPayload();
        try
        {
            payload.Read(utf8Json);
        }
        catch (JsonException e)
        {
            payload.ParseError = $"the hook payload is not valid JSON: {e.Message}";
        }
        catch (InvalidOperationException e)
        {
            // A string that cannot be decoded (an escaped lone surrogate): keep what was read.
            payload.ParseError = $"the hook payload has a string that cannot be read: {e.Message}";
        }
        return payload;
    }

    /// <summary>Parses a payload held in a string.</summary>
    public static HookPayload Parse(string? json) => Parse(Encoding.UTF8.GetBytes(json ?? ""));

    /// <summary>Reads the whole stream (a hook's stdin) and parses it.</summary>
    public static async Task<HookPayload> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0) break;
                length += read;
            }
            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read())
        {
            ParseError = "the hook payload is empty";
            return;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            ParseError = $"the hook payload is a JSON {reader.TokenType}, not an object";
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader);
            reader.Read();
            switch (field)
            {
                case Field.ToolInput:
                    ToolInputJson = RawValue(ref reader, json);
                    break;
                case Field.ToolResponse:
                    ToolResponseJson = RawValue(ref reader, json);
                    break;
                case Field.StopHookActive:
                    StopHookActive = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => null,
                    };
                    reader.Skip();
                    break;
                case Field.Unknown:
                    reader.Skip();
                    break;
                default:
                    SetString(field, reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
                    reader.Skip();
                    break;
            }
        }
    }

    private enum Field
    {
        Unknown, SessionId, TranscriptPath, Cwd, HookEventName, Prompt, ToolName, ToolInput, ToolResponse, ToolUseId,
        LastAssistantMessage, Source, Reason, StopHookActive, PermissionMode, Trigger, CustomInstructions, Error, PromptResponse,
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("session_id"u8)) return Field.SessionId;
        if (reader.ValueTextEquals("transcript_path"u8)) return Field.TranscriptPath;
        if (reader.ValueTextEquals("cwd"u8)) return Field.Cwd;
        if (reader.ValueTextEquals("hook_event_name"u8)) return Field.HookEventName;
        if (reader.ValueTextEquals("prompt"u8)) return Field.Prompt;
        if (reader.ValueTextEquals("tool_name"u8)) return Field.ToolName;
        if (reader.ValueTextEquals("tool_input"u8)) return Field.ToolInput;
        if (reader.ValueTextEquals("tool_response"u8)) return Field.ToolResponse;
        if (reader.ValueTextEquals("tool_use_id"u8)) return Field.ToolUseId;
        if (reader.ValueTextEquals("last_assistant_message"u8)) return Field.LastAssistantMessage;
        if (reader.ValueTextEquals("source"u8)) return Field.Source;
        if (reader.ValueTextEquals("reason"u8)) return Field.Reason;
        if (reader.ValueTextEquals("stop_hook_active"u8)) return Field.StopHookActive;
        if (reader.ValueTextEquals("permission_mode"u8)) return Field.PermissionMode;
        if (reader.ValueTextEquals("trigger"u8)) return Field.Trigger;
        if (reader.ValueTextEquals("custom_instructions"u8)) return Field.CustomInstructions;
        if (reader.ValueTextEquals("error"u8)) return Field.Error;
        if (reader.ValueTextEquals("prompt_response"u8)) return Field.PromptResponse;
        return Field.Unknown;
    }

    private void SetString(Field field, string? value)
    {
        switch (field)
        {
            case Field.SessionId: SessionId = value; break;
            case Field.TranscriptPath: TranscriptPath = value; break;
            case Field.Cwd: Cwd = value; break;
            case Field.HookEventName: HookEventName = value; break;
            case Field.Prompt: Prompt = value; break;
            case Field.ToolName: ToolName = value; break;
            case Field.ToolUseId: ToolUseId = value; break;
            case Field.LastAssistantMessage: LastAssistantMessage = value; break;
            case Field.Source: Source = value; break;
            case Field.Reason: Reason = value; break;
            case Field.PermissionMode: PermissionMode = value; break;
            case Field.Trigger: Trigger = value; break;
            case Field.CustomInstructions: CustomInstructions = value; break;
            case Field.Error: Error = value; break;
            case Field.PromptResponse: PromptResponse = value; break;
        }
    }

    /// <summary>The current value's JSON text, exactly as sent; null for a JSON null.</summary>
    private static string? RawValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var start = (int)reader.TokenStartIndex;
        int end;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                reader.Skip();
                end = (int)reader.TokenStartIndex + 1;
                break;
            case JsonTokenType.String:
                end = start + reader.ValueSpan.Length + 2;
                break;
            default:
                end = start + reader.ValueSpan.Length;
                break;
        }
        return Encoding.UTF8.GetString(json[start..end]);
    }
}
