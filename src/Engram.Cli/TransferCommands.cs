using System.Text;
using Engram.Core;
using Engram.Core.Services;

namespace Engram.Cli;

/// <summary>export and import: a lossless JSONL round trip.</summary>
internal static class TransferCommands
{
    public static IEnumerable<CommandSpec> All() =>
    [
        new("export", "write memories and their history as JSON lines (superseded and deleted ones included), or a project's standing memories as Markdown", ExportAsync)
        {
            Options =
            [
                .. CommonOptions.Scope, new("output", "write to this file instead of standard output", "FILE"),
                new("format", "jsonl (the default) or markdown (the project's standing memories)", "FORMAT") { Candidates = () => ["jsonl", "markdown"] },
                CommonOptions.Cwd,
            ],
            Details = () => "Forms: engram export [scope] [--output FILE] > file.jsonl | engram export --format markdown [--cwd DIR] [--project P] [--output FILE]",
        },
        new("import", "read an export file ('-' for standard input), a claude-mem database, or the agents' own memory files (only read); importing twice changes nothing", ImportAsync)
        {
            Arguments = [new("FILE", "the export file, or with --from claude-mem the database (default ~/.claude-mem/claude-mem.db)")],
            Options =
            [
                new("from", "import from claude-mem or an agent's memory files instead of an export file", "SOURCE")
                {
                    Candidates = () => ["claude-mem", .. Engram.Agents.MemoryFiles.AgentMemoryFiles.Sources],
                },
                CommonOptions.Project, CommonOptions.Tenant, CommonOptions.Cwd, CommonOptions.Json,
            ],
            Details = () => "Forms: engram import FILE | engram import --from claude-mem [PATH] [--project P] [--tenant T] | engram import --from claude-code|codex|gemini|agents-md|agents [--cwd DIR] [--project P]",
        },
    ];

    private static async Task<int> ImportFromAsync(string from, CommandLine line, CancellationToken cancellationToken)
    {
        if (AgentFileCommands.IsAgentSource(from)) return await AgentFileCommands.ImportAsync(from, line, cancellationToken);
        if (from != "claude-mem") throw new UsageException($"--from '{from}' is not supported; use claude-mem, {string.Join(", ", Engram.Agents.MemoryFiles.AgentMemoryFiles.Sources)}");
        var path = line.Positionals.Count > 0
            ? line.Positionals[0]
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".claude-mem", "claude-mem.db");
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var summary = await new Engram.Sqlite.Import.ClaudeMemImporter(runtime.Memory)
            .ImportAsync(path, line.Value("tenant") ?? Core.Model.MemoryScope.DefaultTenant, line.Value("project"), cancellationToken);
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("observations", summary.Observations);
                w.WriteNumber("summaries", summary.Summaries);
                w.WriteNumber("prompts", summary.Prompts);
                w.WriteNumber("already_present", summary.AlreadyPresent);
                w.WriteEndObject();
            });
        }
        else
        {
            Output.Line($"imported from claude-mem: {summary.Observations} observations, {summary.Summaries} summaries, {summary.Prompts} prompts"
                + (summary.AlreadyPresent > 0 ? $" ({summary.AlreadyPresent} already present)" : ""));
        }
        return 0;
    }

    private static async Task<int> ExportAsync(CommandLine line, CancellationToken cancellationToken)
    {
        switch (line.Value("format"))
        {
            case "markdown" or "md":
                return await AgentFileCommands.ExportMarkdownAsync(line, cancellationToken);
            case null or "jsonl":
                break;
            case var other:
                throw new UsageException($"--format '{other}' is not supported; use jsonl (the default) or markdown");
        }
        var filter = Arguments.Filter(line);
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var path = line.Value("output");
        if (path is null)
        {
            await MemoryTransfer.ExportAsync(runtime.Store, filter, Output.Out, cancellationToken);
            return 0;
        }
        // Write beside the target and move into place, so a failed export never leaves half a file.
        var temp = path + ".partial";
        try
        {
            int lines;
            await using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
            {
                lines = await MemoryTransfer.ExportAsync(runtime.Store, filter, writer, cancellationToken);
            }
            File.Move(temp, path, overwrite: true);
            Output.Error.WriteLine($"exported {lines} record(s) to {path}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The temporary file may not exist (its folder may not): deleting it must not hide the reason.
            if (File.Exists(temp)) File.Delete(temp);
            throw new EngramException($"cannot write {path}: {IoErrors.Describe(ex)}");
        }
        return 0;
    }

    private static async Task<int> ImportAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Value("from") is { } from) return await ImportFromAsync(from, line, cancellationToken);
        var path = line.Positional(0, "FILE");
        ImportSummary summary;
        await using (var runtime = await MemoryCommands.OpenAsync(cancellationToken))
        {
            if (path == "-")
            {
                summary = await MemoryTransfer.ImportAsync(runtime.Store, Console.In, "standard input", cancellationToken);
            }
            else
            {
                if (!File.Exists(path)) throw new EngramException($"{path}: no such file");
                using var reader = new StreamReader(path, Encoding.UTF8);
                summary = await MemoryTransfer.ImportAsync(runtime.Store, reader, path, cancellationToken);
            }
        }
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("added", summary.MemoriesAdded);
                w.WriteNumber("already_present", summary.MemoriesAlreadyPresent);
                w.WriteNumber("history_entries", summary.HistoryEntries);
                w.WriteEndObject();
            });
        }
        else
        {
            Output.Line($"imported {summary.MemoriesAdded} memor{(summary.MemoriesAdded == 1 ? "y" : "ies")}"
                + (summary.MemoriesAlreadyPresent > 0 ? $", {summary.MemoriesAlreadyPresent} already present" : "")
                + $" ({summary.HistoryEntries} history entries read)");
        }
        return 0;
    }
}
