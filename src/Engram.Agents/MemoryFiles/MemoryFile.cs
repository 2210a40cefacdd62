namespace Engram.Agents.MemoryFiles;

/// <summary>
/// One of an agent's own memory files: where it is, which agent keeps it, and whether it belongs to the
/// project (imported into the project's scope) or to the user across projects (imported without a project).
/// </summary>
public sealed record MemoryFile(string Path, string Agent, bool ProjectWide);
