using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>
/// The shared part of the fake model providers the real agent CLIs talk to: an HTTP listener on 127.0.0.1,
/// a record of every request body, and a queue of scripted <see cref="ModelTurn"/>s. Each agent turn (a request
/// that offers tools) takes the next scripted turn; the subclasses speak the provider's wire protocol.
/// </summary>
public abstract class ScriptedModelServer : IAsyncDisposable
{
    /// <summary>What the model says when the test scripted nothing more: the session then ends.</summary>
    public const string NothingScripted = "(the test scripted no more turns)";

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly ConcurrentQueue<ModelTurn> _turns = new();
    private readonly List<ModelRequest> _requests = [];
    private int _ids;

    protected ScriptedModelServer()
    {
        (_listener, Root) = LoopbackListener.Start();
        _loop = Task.Run(() => LoopbackListener.ServeAsync(_listener, RecordAndAnswerAsync));
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash.</summary>
    public string Root { get; }

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<ModelRequest> Requests
    {
        get
        {
            lock (_requests) return _requests.ToList();
        }
    }

    /// <summary>Agent turns answered with a scripted turn (side requests such as a model router are not counted).</summary>
    public int TurnsServed { get; private set; }

    public int TurnsLeft => _turns.Count;

    public void Script(params ModelTurn[] turns)
    {
        foreach (var turn in turns) _turns.Enqueue(turn);
    }

    /// <summary>Answers one request in the provider's protocol.</summary>
    protected abstract Task AnswerAsync(HttpListenerContext context, ModelRequest request);

    /// <summary>The next scripted turn, or a closing text when none is left.</summary>
    protected ModelTurn NextTurn()
    {
        TurnsServed++;
        return _turns.TryDequeue(out var turn) ? turn : ModelTurn.Say(NothingScripted);
    }

    /// <summary>A fresh id with this prefix, unique within the server.</summary>
    protected string NewId(string prefix) => $"{prefix}{Interlocked.Increment(ref _ids):D4}";

    protected static async Task WriteJsonAsync(HttpListenerResponse response, JsonNode body, int status = 200)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    /// <summary>Writes server-sent events (an <c>event:</c> line when a name is given, then the <c>data:</c> line) and closes.</summary>
    protected static async Task WriteEventsAsync(HttpListenerResponse response, IEnumerable<(string? Name, JsonNode Data)> events)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers["Cache-Control"] = "no-cache";
        response.SendChunked = true;
        var text = new StringBuilder();
        foreach (var (name, data) in events)
        {
            if (name is not null) text.Append("event: ").Append(name).Append('\n');
            text.Append("data: ").Append(data.ToJsonString()).Append("\n\n");
        }
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        response.Close();
    }

    /// <summary>Records the request, then answers it; requests are served one at a time, so turns follow the agent's order.</summary>
    private async Task RecordAndAnswerAsync(HttpListenerContext context)
    {
        try
        {
            var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = new ModelRequest(context.Request.Url!.PathAndQuery, await reader.ReadToEndAsync(), arrived);
            lock (_requests) _requests.Add(request);
            await AnswerAsync(context, request);
        }
        catch (HttpListenerException)
        {
            // The client went away mid-answer; the next request is answered normally.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone (see FakeOpenAiServer): Stop then Close would re-bind the freed port on Linux.
        _listener.Close();
        try { await _loop; } catch (ObjectDisposedException) { }
        GC.SuppressFinalize(this);
    }
}
