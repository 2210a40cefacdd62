using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>
/// A real <c>engram serve</c> process (engram.dll beside the tests) over its own ENGRAM_HOME, keyless on
/// 127.0.0.1, with an HttpClient pointed at it. Killed and deleted with the test.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private static readonly string EngramDll = Path.Combine(AppContext.BaseDirectory, "engram.dll");
    private readonly TempFolder _folder = new();
    private readonly StringBuilder _errors = new();
    private Process? _process;

    public string Home => _folder.File("home");
    public Uri Address { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string Errors { get { lock (_errors) return _errors.ToString(); } }

    public static async Task<ServeProcess> StartAsync()
    {
        var serve = new ServeProcess();
        try
        {
            var port = FreePort();
            serve.Address = new Uri($"http://127.0.0.1:{port}/");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { EngramDll, "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ENGRAM_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
            start.Environment["ENGRAM_HOME"] = serve.Home;
            serve._process = Process.Start(start)!;
            serve._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (serve._errors) serve._errors.AppendLine(e.Data); };
            serve._process.BeginErrorReadLine();
            _ = serve._process.StandardOutput.ReadToEndAsync();
            serve.Http = new HttpClient { BaseAddress = serve.Address, Timeout = TimeSpan.FromSeconds(30) };
            await Eventually.HoldsAsync(async () =>
            {
                if (serve._process.HasExited) throw new InvalidOperationException("engram serve exited: " + serve.Errors);
                try
                {
                    using var health = await serve.Http.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
                    return health.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }
            }, "engram serve answering /health", () => Task.FromResult(serve.Errors), TestContext.Current.CancellationToken);
            return serve;
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every regular file under ENGRAM_HOME whose bytes contain the text (the database, its WAL, the spool, logs; not the worker's socket).</summary>
    public IReadOnlyList<string> FilesContaining(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return [.. Directory.EnumerateFiles(Home, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal) && !IsSocket(f) && File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0)];
    }

    /// <summary>The worker's Unix socket (cli.sock): it holds no bytes and cannot be opened as a file.</summary>
    private static bool IsSocket(string path) => path.EndsWith(".sock", StringComparison.Ordinal);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_process is not null)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        _folder.Dispose();
    }
}
