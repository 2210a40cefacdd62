using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Engram.Core;
using Microsoft.Extensions.AI;

namespace Engram.Providers;

/// <summary>
/// Answers with the user's own Claude Code subscription: runs <c>claude -p</c> headless, with no tools, one
/// turn, no saved session and every hook disabled, the prompt on stdin and JSON out. The child also gets
/// <see cref="GuardVariable"/>, which Engram's hooks honour by doing nothing, so a model call can never
/// recurse into capture.
/// </summary>
public sealed class ClaudeCodeChatClient(string model = "haiku", string executable = "claude", TimeSpan? timeout = null) : IChatClient
{
    /// <summary>Set in the child's environment; <c>engram hook</c> exits at once when it sees it.</summary>
    public const string GuardVariable = "ENGRAM_INSIDE_MODEL_CALL";

    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(2);
    private readonly ChatClientMetadata _metadata = new("claude-code", null, model);

    /// <summary>True when a <c>claude</c> executable is on PATH.</summary>
    public static bool IsAvailable(string executable = "claude") =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, executable)));

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var system = string.Join("\n\n", list.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        var prompt = new StringBuilder();
        foreach (var message in list.Where(m => m.Role != ChatRole.System))
        {
            prompt.Append(message.Role == ChatRole.User ? "" : $"[{message.Role.Value}]\n").Append(message.Text).Append("\n\n");
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-p", "--model", options?.ModelId ?? model, "--output-format", "json", "--no-session-persistence", "--tools", "", "--max-turns", "1", "--settings", "{\"disableAllHooks\":true}" })
        {
            start.ArgumentList.Add(arg);
        }
        if (system.Length > 0)
        {
            start.ArgumentList.Add("--system-prompt");
            start.ArgumentList.Add(system);
        }
        start.Environment[GuardVariable] = "1";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new EngramException($"could not start '{executable}'");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new EngramException($"Llm:Provider claude-code needs the Claude Code CLI ('{executable}') on PATH: {ex.Message}", ex);
        }
        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardInput.WriteAsync(prompt.ToString().AsMemory(), timeout.Token);
                process.StandardInput.Close();
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new EngramException($"'{executable} -p' did not answer within {_timeout.TotalSeconds:0} s");
            }
            var output = await stdout;
            var errors = await stderr;
            if (process.ExitCode != 0)
            {
                throw new EngramException($"'{executable} -p' exited with {process.ExitCode}: {FirstLine(errors.Length > 0 ? errors : output)}");
            }
            return Parse(output);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private ChatResponse Parse(string output)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            if (root.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True)
            {
                throw new EngramException($"'{executable} -p' reported an error: {(root.TryGetProperty("result", out var r) ? r.ToString() : "no detail")}");
            }
            var text = root.GetProperty("result").GetString() ?? "";
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = model };
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                long Tokens(string name) => usage.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
                response.Usage = new UsageDetails
                {
                    InputTokenCount = Tokens("input_tokens") + Tokens("cache_read_input_tokens") + Tokens("cache_creation_input_tokens"),
                    OutputTokenCount = Tokens("output_tokens"),
                };
            }
            return response;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EngramException($"'{executable} -p --output-format json' printed something else: {FirstLine(output)}", ex);
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
