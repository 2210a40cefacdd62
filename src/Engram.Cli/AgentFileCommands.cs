using System.Text;
using Engram.Agents;
using Engram.Agents.MemoryFiles;
using Engram.Core;
using Engram.Core.Model;

namespace Engram.Cli;

/// <summary>
/// <c>engram import --from claude-code|codex|gemini|agents-md|agents</c> (the agents' own memory files of the
/// project in --cwd, read only) and <c>engram export --format markdown</c> (a project's standing memories as a file
/// an agent can read without Engram).
/// </summary>
internal static class AgentFileCommands
{
    public static bool IsAgentSource(string from) => AgentMemoryFiles.Sources.Contains(from);

    public static async Task<int> ImportAsync(string from, CommandLine line, CancellationToken cancellationToken)
    {
        var identity = Project(line);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var files = AgentMemoryFiles.Find(from, identity.Root, home);
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant;
        var summary = await new AgentMemoryImporter(runtime.Memory).ImportAsync(files, tenant, line.Value("project") ?? identity.Key, cancellationToken);
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("files");
                foreach (var file in files) w.WriteStringValue(file.Path);
                w.WriteEndArray();
                w.WriteNumber("items", summary.Items);
                w.WriteNumber("added", summary.Added);
                w.WriteNumber("already_present", summary.AlreadyPresent);
                w.WriteNumber("skipped", summary.Skipped);
                w.WriteEndObject();
            });
        }
        else if (files.Count == 0)
        {
            Output.Line($"no {from} memory files found for {identity.Root}");
        }
        else
        {
            foreach (var file in files) Output.Line($"read {file.Path}");
            Output.Line($"imported {summary.Added} of {summary.Items} item(s) from {files.Count} file(s)"
                + (summary.AlreadyPresent > 0 ? $" ({summary.AlreadyPresent} already present)" : "")
                + (summary.Skipped > 0 ? $" ({summary.Skipped} skipped: empty once private parts were removed)" : ""));
        }
        return 0;
    }

    public static async Task<int> ExportMarkdownAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var identity = Project(line);
        var projectKey = line.Value("project") ?? identity.Key;
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var markdown = await MarkdownExport.BuildAsync(runtime.Memory, line.Value("tenant") ?? MemoryScope.DefaultTenant, projectKey,
            line.Value("project") ?? identity.DisplayName, TimeProvider.System.GetUtcNow(), cancellationToken);
        if (line.Value("output") is not { } path)
        {
            Output.Out.Write(markdown);
            return 0;
        }
        var temp = path + ".partial";
        try
        {
            await File.WriteAllTextAsync(temp, markdown, new UTF8Encoding(false), cancellationToken);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw new EngramException($"cannot write {path}: {IoErrors.Describe(ex)}");
        }
        Output.Error.WriteLine($"wrote the standing memories of {projectKey} to {path}");
        return 0;
    }

    private static ProjectIdentity Project(CommandLine line)
    {
        var cwd = line.Value("cwd") ?? Environment.CurrentDirectory;
        if (!Directory.Exists(cwd)) throw new UsageException($"--cwd '{cwd}' is not a folder; give the project's folder");
        return ProjectIdentity.Resolve(Path.GetFullPath(cwd));
    }
}
