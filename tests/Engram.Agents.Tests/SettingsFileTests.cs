using System.Text;
using Engram.Core;

namespace Engram.Agents.Tests;

public sealed class SettingsFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_write_by_someone_else_during_the_edit_is_kept_and_the_edit_is_redone_on_top()
    {
        var path = _temp.Combine("state.json");
        File.WriteAllText(path, "{\"a\": 1}");
        var calls = 0;

        var result = SettingsFile.Edit(path, createIfMissing: true, text =>
        {
            calls++;
            if (calls == 1) File.WriteAllText(path, "{\"a\": 2}"); // Claude Code writes while we edit
            return [.. text, .. " "u8];
        });

        Assert.True(result.Changed);
        Assert.Equal(2, calls);
        Assert.Equal("{\"a\": 2} ", File.ReadAllText(path));
        Assert.Equal("{\"a\": 2}", File.ReadAllText(path + ".engram-backup"));
    }

    [Fact]
    public void A_file_that_never_stops_changing_is_left_alone_with_a_clear_error()
    {
        var path = _temp.Combine("busy.json");
        File.WriteAllText(path, "0");
        var generation = 0;

        var error = Assert.Throws<EngramException>(() => SettingsFile.Edit(path, createIfMissing: true, text =>
        {
            File.WriteAllText(path, (++generation).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Encoding.UTF8.GetBytes("mine");
        }));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.NotEqual("mine", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".engram-backup"));
    }

    [Fact]
    public void Leaves_no_temporary_files_behind()
    {
        var path = _temp.Combine("sub", "settings.json");

        SettingsFile.Edit(path, createIfMissing: true, _ => "{}"u8.ToArray());
        SettingsFile.Edit(path, createIfMissing: true, _ => "{ }"u8.ToArray());

        // The marker says Engram created the file, so uninstall may remove it when nothing else is in it.
        Assert.Equal(["settings.json", "settings.json.engram-backup", "settings.json.engram-created"], Directory.GetFiles(_temp.Combine("sub")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_file_engram_created_goes_on_uninstall_only_when_nothing_else_is_in_it()
    {
        var path = _temp.Combine("created", "hooks.json");
        SettingsFile.Edit(path, createIfMissing: true, _ => "{\"hooks\": {}}"u8.ToArray());
        File.WriteAllText(path, "{\"theirs\": 1}");
        Assert.False(SettingsFile.DeleteIfCreatedAndEmpty(path, SettingsFile.IsEmptyJson));
        Assert.True(File.Exists(path));
        File.WriteAllText(path, "{\n}\n");
        Assert.True(SettingsFile.DeleteIfCreatedAndEmpty(path, SettingsFile.IsEmptyJson));
        Assert.Empty(Directory.GetFiles(_temp.Combine("created")));

        // A file that was there before install is never removed.
        var theirs = _temp.Combine("theirs.json");
        File.WriteAllText(theirs, "{}");
        Assert.False(SettingsFile.DeleteIfCreatedAndEmpty(theirs, SettingsFile.IsEmptyJson));
        Assert.True(File.Exists(theirs));
    }
}
