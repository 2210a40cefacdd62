using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Agents.MemoryFiles;

/// <summary>What an import of agents' memory files did.</summary>
public sealed record AgentImportSummary(int Files, int Items, int Added, int AlreadyPresent, int Skipped);

/// <summary>
/// Imports agents' own memory files as Engram facts: project files into the project, user-wide files
/// without one. Each item is kept verbatim (through the privacy filter, as every add); an item already
/// remembered in the same scope is not stored again, so importing twice adds nothing. The files are only read.
/// </summary>
public sealed class AgentMemoryImporter(IMemoryService memory)
{
    public const string MemoryType = "agent-memory";

    public async Task<AgentImportSummary> ImportAsync(IReadOnlyList<MemoryFile> files, string tenant, string projectKey, CancellationToken cancellationToken = default)
    {
        int items = 0, added = 0, present = 0, skipped = 0;
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(file.Path, cancellationToken);
            foreach (var item in MarkdownMemory.Items(text))
            {
                items++;
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source_agent"] = file.Agent, ["source_file"] = file.Path };
                if (item.Section is { Length: > 0 } section) metadata["section"] = section;
                try
                {
                    var result = await memory.AddAsync(new AddMemoryRequest
                    {
                        Content = item.Text,
                        Kind = MemoryKind.Fact,
                        Type = MemoryType,
                        Title = item.Section,
                        Scope = new MemoryScope { Tenant = tenant, Project = file.ProjectWide ? projectKey : "" },
                        Metadata = metadata,
                        Importance = 0.7,
                        Actor = "import",
                    }, cancellationToken);
                    if (result.Results[0].Outcome == AddOutcome.Added) added++;
                    else present++;
                }
                catch (EngramException)
                {
                    // Nothing left once <private> parts are removed, or too long: that item only is skipped.
                    skipped++;
                }
            }
        }
        return new AgentImportSummary(files.Count, items, added, present, skipped);
    }
}
