using System.Collections;
using Engram.Core;
using Engram.Hosting;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>The Server section of settings.json and its ENGRAM_SERVER__ overrides.</summary>
public sealed class ServerSettingsTests
{
    [Fact]
    public void Defaults_listen_on_loopback_37777()
    {
        using var folder = new TempFolder();
        var settings = SettingsLoader.Load(folder.File("settings.json"), new Hashtable()).Server;
        Assert.Equal("127.0.0.1", settings.Host);
        Assert.Equal(37777, settings.Port);
        Assert.Equal(6000, settings.RateLimitPerMinute);
        Assert.Equal(new Engram.Server.ServerRuntimeOptions().RateLimitPerMinute, settings.RateLimitPerMinute);
        Assert.Equal(1_048_576, settings.MaxRequestBytes);
    }

    [Fact]
    public void File_and_environment_set_the_server_section()
    {
        using var folder = new TempFolder();
        var path = folder.File("settings.json");
        File.WriteAllText(path, """{"Server": {"Host": "0.0.0.0", "Port": 8080, "MaxRequestBytes": 65536}}""");
        var settings = SettingsLoader.Load(path, new Hashtable { ["ENGRAM_SERVER__RATELIMITPERMINUTE"] = "30" }).Server;
        Assert.Equal("0.0.0.0", settings.Host);
        Assert.Equal(8080, settings.Port);
        Assert.Equal(30, settings.RateLimitPerMinute);
        Assert.Equal(65536, settings.MaxRequestBytes);
    }

    [Theory]
    [InlineData("ENGRAM_SERVER__PORT", "http", "Server:Port")]
    [InlineData("ENGRAM_SERVER__PORT", "70000", "Server:Port")]
    [InlineData("ENGRAM_SERVER__RATELIMITPERMINUTE", "-1", "Server:RateLimitPerMinute")]
    [InlineData("ENGRAM_SERVER__MAXREQUESTBYTES", "10", "Server:MaxRequestBytes")]
    [InlineData("ENGRAM_SERVER__TLS", "on", "Server:Host")]
    public void Bad_values_name_the_setting(string variable, string value, string named)
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<EngramException>(() => SettingsLoader.Load(folder.File("settings.json"), new Hashtable { [variable] = value }));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
