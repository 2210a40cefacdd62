using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>
/// Privacy through REST on 127.0.0.1: text, title, type and metadata of POST and PUT are filtered
/// before they reach the SQLite file (with its WAL), and an export of the store holds no secret either.
/// </summary>
public sealed class RestPrivacyTests
{
    [Fact]
    public async Task Post_and_put_with_metadata_store_no_secret_of_the_corpus()
    {
        await using var host = await ServerHost.StartAsync();
        var samples = SecretCorpus.Samples;
        var ids = new List<string>();
        for (var part = 0; part < 3; part++)
        {
            var mine = samples.Where((_, i) => i % 3 == part).ToList();
            var body = new JsonObject
            {
                ["text"] = string.Join('\n', mine.Skip(4).Select(s => s.Text)),
                ["title"] = mine[0].Text,
                ["type"] = "config",
                ["user_id"] = "alice",
                ["metadata"] = new JsonObject
                {
                    ["api_key"] = mine[1].Secret,
                    ["env"] = new JsonObject { ["DB_PASSWORD"] = mine[2].Secret },
                    ["password"] = 80417263,
                    ["note"] = mine[3].Text,
                    [mine[3].Secret] = "a token as a key",
                    ["token"] = 3,
                },
            };
            var (status, added) = await host.JsonAsync(HttpMethod.Post, "/api/v1/memories", body.ToJsonString());
            Assert.True(status == 200, $"add failed with {status}: {added}");
            ids.Add(added.GetProperty("results")[0].GetProperty("id").GetString()!);
        }
        var put = new JsonObject
        {
            ["text"] = "rotated " + samples[7].Text,
            ["title"] = "rotated " + samples[8].Text,
            ["metadata"] = new JsonObject { ["signing_key"] = samples[9].Secret },
            ["reason"] = "leaked " + samples[10].Text,
        };
        var (putStatus, _) = await host.JsonAsync(HttpMethod.Put, $"/api/v1/memories/{ids[0]}", put.ToJsonString());
        Assert.Equal(200, putStatus);

        // On SQLite every file of the store is checked; on PostgreSQL (its files are the server's) the export alone.
        var folder = host.Store is Engram.Sqlite.SqliteMemoryStore sqlite ? Path.GetDirectoryName(sqlite.Path)! : Directory.CreateTempSubdirectory("engram-export-").FullName;
        await using (var writer = new StreamWriter(Path.Combine(folder, "export.jsonl")))
        {
            await MemoryTransfer.ExportAsync(host.Store, new MemoryFilter(), writer, TestContext.Current.CancellationToken);
        }
        var files = StoredSecrets.ReadFiles([folder]);
        Assert.True(StoredSecrets.AssertNoneIn(files, [.. StoredSecrets.CorpusSecrets(), "80417263"]) >= 80);

        var (_, got) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{ids[1]}");
        var metadata = got.GetProperty("metadata");
        Assert.Equal("3", metadata.GetProperty("token").GetString());
        Assert.Equal("[REDACTED:secret]", metadata.GetProperty("api_key").GetString());
        Assert.Equal(JsonValueKind.String, metadata.GetProperty("env").ValueKind);
    }
}
