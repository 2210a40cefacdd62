namespace Engram.Agents;

/// <summary>What an install or uninstall did to one settings file.</summary>
/// <param name="Path">The file that was edited (or would have been).</param>
/// <param name="Changed">False when the file already said what was asked (installing twice changes nothing).</param>
/// <param name="BackupPath">The copy of the previous content, written before the change; null when nothing changed or the file is new.</param>
public sealed record SettingsEditResult(string Path, bool Changed, string? BackupPath);
