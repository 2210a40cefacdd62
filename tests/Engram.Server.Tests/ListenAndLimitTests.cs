using System.Net;
using System.Net.Sockets;
using Engram.Core;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>Which hosts engram serve listens on, how it says it cannot, and who its rate limit applies to.</summary>
public sealed class ListenAndLimitTests
{
    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("127.0.0.1")]
    public async Task Loopback_hosts_listen_without_keys(string hostName)
    {
        await using var host = await ServerHost.StartAsync(new ServerRuntimeOptions { Host = hostName, Port = 0 });
        Assert.False(host.Server.Options.RequireApiKeys);
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories")).Status);
    }

    [Fact]
    public async Task Ipv6_loopback_listens_without_keys_where_the_machine_has_ipv6()
    {
        using (var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            }
            catch (SocketException)
            {
                return; // No IPv6 loopback on this machine: nothing to listen on.
            }
        }
        await using var host = await ServerHost.StartAsync(new ServerRuntimeOptions { Host = "::1", Port = 0 });
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories")).Status);
    }

    [Fact]
    public async Task A_name_that_is_not_an_address_is_refused_as_such_not_as_a_missing_key()
    {
        using var folder = new TempFolder();
        await using var store = new SqliteMemoryStore(folder.File("engram.db"));
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<EngramException>(() =>
            EngramServer.CreateAsync(new MemoryService(store), store, new ServerRuntimeOptions { Host = "example.com", Port = 0 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("'example.com' is not an IP address or localhost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_this_machine_does_not_have_gives_one_clear_error()
    {
        using var folder = new TempFolder();
        await using var store = new SqliteMemoryStore(folder.File("engram.db"));
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        await ServerHost.CreateKeyAsync(store, "acme");
        // 192.0.2.0/24 is reserved for documentation: no machine has it.
        await using var server = await EngramServer.CreateAsync(new MemoryService(store), store, new ServerRuntimeOptions { Host = "192.0.2.1", Port = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<EngramException>(() => server.StartAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("cannot listen on 192.0.2.1:0: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("an address of one of this machine's network interfaces", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_local_user_without_a_key_is_never_rate_limited()
    {
        await using var host = await ServerHost.StartAsync(new ServerRuntimeOptions { Port = 0, RateLimitPerMinute = 3 });
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => host.JsonAsync(HttpMethod.Get, "/api/v1/memories")));
        Assert.All(answers, a => Assert.Equal(200, a.Status));
    }

    [Fact]
    public async Task A_configured_limit_still_holds_for_a_key_and_zero_turns_it_off()
    {
        string key = "";
        await using (var host = await ServerHost.StartAsync(new ServerRuntimeOptions { Port = 0, RateLimitPerMinute = 5 }, async store => key = await ServerHost.CreateKeyAsync(store, "a")))
        {
            var statuses = new List<int>();
            for (var i = 0; i < 8; i++) statuses.Add((await host.JsonAsync(HttpMethod.Get, "/api/v1/memories", key: key)).Status);
            Assert.Equal([200, 200, 200, 200, 200, 429, 429, 429], statuses);
        }
        await using (var host = await ServerHost.StartAsync(new ServerRuntimeOptions { Port = 0, RateLimitPerMinute = 0 }, async store => key = await ServerHost.CreateKeyAsync(store, "a")))
        {
            for (var i = 0; i < 20; i++) Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories", key: key)).Status);
        }
    }
}
