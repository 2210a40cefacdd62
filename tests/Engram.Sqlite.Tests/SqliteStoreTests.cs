using Engram.Testing;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite.Tests;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_reads_every_ranking_makes_are_index_lookups_however_long_the_rewrite_log()
    {
        var path = _folder.File("plans.db");
        await using (var store = new SqliteMemoryStore(path)) await store.InitializeAsync(TestContext.Current.CancellationToken);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var sql in Fts5Api.PerQueryReads)
        {
            using var plan = connection.CreateCommand();
            plan.CommandText = "EXPLAIN QUERY PLAN " + sql;
            plan.Parameters.AddWithValue("?1", "\"word\"");
            plan.Parameters.AddWithValue("?2", 0);
            var steps = new List<string>();
            await using var reader = await plan.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) steps.Add(reader.GetString(3));
            // FTS5's own match is a virtual-table scan by design; tables are only ever searched.
            Assert.DoesNotContain(steps, step => step.StartsWith("SCAN ", StringComparison.Ordinal) && step != "SCAN CONSTANT ROW" && !step.Contains("VIRTUAL TABLE", StringComparison.Ordinal));
            Assert.NotEmpty(steps);
        }
    }

    [Fact]
    public async Task A_tenant_other_than_the_default_is_a_token_of_its_rows_and_migration_0012_writes_the_same()
    {
        var path = _folder.File("tenants.db");
        var ct = TestContext.Current.CancellationToken;
        await using (var store = new SqliteMemoryStore(path))
        {
            var service = new MemoryService(store);
            await service.AddAsync(new AddMemoryRequest { Content = "default tenant note", Scope = new MemoryScope { UserId = "alice" } }, ct);
            await service.AddAsync(new AddMemoryRequest { Content = "acme note", Scope = new MemoryScope { Tenant = "acme", UserId = "alice", Project = "shop" } }, ct);
            await service.AddAsync(new AddMemoryRequest { Content = "another acme note", Scope = new MemoryScope { Tenant = "acme" } }, ct);
        }
        // The tokens as this version writes them; then as a store of schema 11 held them, migrated again.
        var written = await ScopeTokensAsync(path);
        Assert.Equal(["u616c696365", "t61636d65 u616c696365 p73686f70", "t61636d65"], written);
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "UPDATE memories SET scope_tokens = nullif(trim(replace(scope_tokens, 't61636d65', '')), ''); PRAGMA user_version = 11;";
            await downgrade.ExecuteNonQueryAsync(ct);
        }
        Assert.Equal(["u616c696365", "u616c696365 p73686f70", null], await ScopeTokensAsync(path));
        await using (var store = new SqliteMemoryStore(path))
        {
            await store.InitializeAsync(ct);
            Assert.Equal(written, await ScopeTokensAsync(path));
            // The index holds them: acme's rows, and only those, match the tenant's token.
            var found = await store.SearchTextAsync(["note"], new MemoryFilter { Tenant = "acme" }, 10, ct);
            Assert.Equal(["acme note", "another acme note"], found.Select(f => f.Memory.Content).Order(StringComparer.Ordinal));
            await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            await connection.OpenAsync(ct);
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'scope_tokens : \"t61636d65\"'";
            Assert.Equal(2L, (long)(await count.ExecuteScalarAsync(ct))!);
        }
    }

    private static async Task<List<string?>> ScopeTokensAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT scope_tokens FROM memories ORDER BY seq";
        var tokens = new List<string?>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) tokens.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
        return tokens;
    }

    [Fact]
    public async Task A_vector_search_by_metadata_sees_metadata_another_process_changed()
    {
        var path = _folder.File("vectors.db");
        await using var store = new SqliteMemoryStore(path);
        var service = new MemoryService(store);
        var ct = TestContext.Current.CancellationToken;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var request = new AddMemoryRequest { Content = $"note number {i}", Metadata = new Dictionary<string, string> { ["tool"] = "Edit" } };
            ids.Add((await service.AddAsync(request, ct)).Results[0].Memory.Id);
        }
        float[] Near(int i) => [1f, 0.1f * i, 0f, 0f];
        await store.SetEmbeddingsAsync([.. ids.Select((id, i) => (id, new ReadOnlyMemory<float>(Near(i))))], "m4", ct);
        var bash = new MemoryFilter { Metadata = new Dictionary<string, string> { ["tool"] = "Bash" } };
        var edit = new MemoryFilter { Metadata = new Dictionary<string, string> { ["tool"] = "Edit" } };
        Assert.Empty(await store.SearchVectorAsync(Near(0), "m4", bash, 5, ct));
        Assert.Equal(3, (await store.SearchVectorAsync(Near(0), "m4", edit, 5, ct)).Count);

        // Another process (a second store on the file) changes one memory's metadata: the index held here must not
        // keep skipping it for the old entries.
        await using (var other = new SqliteMemoryStore(path))
        {
            await new MemoryService(other).UpdateAsync(ids[1], new MemoryUpdate { Metadata = new Dictionary<string, string> { ["tool"] = "Bash", ["exit"] = "1" } }, cancellationToken: ct);
        }
        Assert.Equal([ids[1]], (await store.SearchVectorAsync(Near(0), "m4", bash, 5, ct)).Select(h => h.Memory.Id));
        Assert.Equal([ids[0], ids[2]], (await store.SearchVectorAsync(Near(0), "m4", edit, 5, ct)).Select(h => h.Memory.Id));
    }

    [Fact]
    public void Metadata_bits_admit_every_row_whose_metadata_they_cannot_read()
    {
        var entries = new Dictionary<string, string> { ["tool"] = "Bash", ["exit"] = "1" };
        var wanted = MetadataBits.Of(entries);
        Assert.NotEqual(0UL, wanted);
        Assert.Equal(wanted, MetadataBits.OfJson("{\"tool\":\"Bash\",\"exit\":\"1\"}") & wanted);
        Assert.Equal(0UL, MetadataBits.OfJson("{}"));
        Assert.Equal(0UL, MetadataBits.OfJson(null));
        // What json_extract could match in ways the bits do not follow: every bit set.
        foreach (var json in new[] { "{\"exit\": 1}", "{\"tool\": {\"name\": \"Bash\"}}", "{\"t\\u006fol\": \"Bash\"}", "[\"tool\"]", "{\"tool\": \"Ba", "not json" })
        {
            Assert.Equal(MetadataBits.Any, MetadataBits.OfJson(json));
        }
    }

    [Fact]
    public async Task New_database_uses_wal_and_the_latest_schema()
    {
        var path = _folder.File("sub/dir/engram.db");
        await using (var store = new SqliteMemoryStore(path))
        {
            await store.InitializeAsync(TestContext.Current.CancellationToken);
        }
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; ";
        Assert.Equal("wal", (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        command.CommandText = "PRAGMA user_version;";
        Assert.Equal((long)SqliteMigrator.LatestVersion, (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name IN ('memories', 'memories_fts', 'embeddings', 'history', 'queue')";
        Assert.Equal(5L, (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }

    [Fact]
    public void The_bundled_sqlite_sleeps_in_milliseconds_when_busy()
    {
        // A build without HAVE_USLEEP rounds every busy wait up to whole seconds: sqlite3_sleep(1)
        // then asks the OS for 1000 ms, and concurrent writers stall for seconds (SQLite 3.35.5 from
        // SQLitePCLRaw 2.0.6 did). sqlite3_sleep returns what it asked for, so this needs no timer.
        SQLitePCL.Batteries_V2.Init();
        Assert.Equal(1, NativeSqlite.sqlite3_sleep(1));
        Assert.True(SQLitePCL.raw.sqlite3_libversion_number() >= 3_045_000, $"SQLite {SQLitePCL.raw.sqlite3_libversion().utf8_to_string()} is older than 3.45");
    }

    [Fact]
    public async Task Many_stores_on_one_new_file_migrate_and_write_concurrently_without_loss()
    {
        var path = _folder.File("shared.db");
        // Eight independent stores (as separate processes would be) start on a file that does not exist yet.
        var writers = Enumerable.Range(0, 8).Select(async w =>
        {
            await using var store = new SqliteMemoryStore(path);
            var service = new MemoryService(store);
            for (var i = 0; i < 25; i++)
            {
                await service.AddAsync(new AddMemoryRequest { Content = $"writer {w} memory {i}", Scope = new MemoryScope { UserId = "load" } });
            }
        });
        await Task.WhenAll(writers);

        await using var check = new SqliteMemoryStore(path);
        var stats = await check.GetStatsAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken);
        Assert.Equal(200, stats.Memories);
        Assert.Equal(200, stats.HistoryEntries);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_gives_a_clear_error()
    {
        var path = _folder.File("broken.db");
        await File.WriteAllTextAsync(path, "this is not a database, just some text that is long enough to fill a header page.......", TestContext.Current.CancellationToken);
        await using var store = new SqliteMemoryStore(path);
        var error = await Assert.ThrowsAnyAsync<EngramException>(() => store.InitializeAsync(TestContext.Current.CancellationToken));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not an Engram database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_new_database_and_its_folder_are_readable_by_their_owner_only()
    {
        var path = _folder.File("private/home/engram.db");
        await using (var store = new SqliteMemoryStore(path))
        {
            await new MemoryService(store).AddAsync(new AddMemoryRequest { Content = "only mine" }, TestContext.Current.CancellationToken);
            Assert.True(File.Exists(path + "-wal"), "the WAL exists while the store is open");
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "*.new-*"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_existing_database_open_to_others_is_tightened_when_opened()
    {
        var path = _folder.File("old.db");
        await using (var store = new SqliteMemoryStore(path)) await store.InitializeAsync(TestContext.Current.CancellationToken);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        await using var reopened = new SqliteMemoryStore(path);
        await reopened.InitializeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task An_empty_database_file_is_reported_instead_of_silently_becoming_a_new_store()
    {
        var path = _folder.File("truncated.db");
        await File.WriteAllBytesAsync(path, [], TestContext.Current.CancellationToken);
        await using var store = new SqliteMemoryStore(path);
        var error = await Assert.ThrowsAnyAsync<EngramException>(() => store.InitializeAsync(TestContext.Current.CancellationToken));
        Assert.Contains("empty (0 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public async Task Reopening_an_existing_database_keeps_its_data()
    {
        var path = _folder.File("engram.db");
        string id;
        await using (var store = new SqliteMemoryStore(path))
        {
            id = (await new MemoryService(store).AddAsync(new AddMemoryRequest { Content = "persisted" }, TestContext.Current.CancellationToken)).Results[0].Memory.Id;
        }
        await using var reopened = new SqliteMemoryStore(path);
        Assert.Equal("persisted", (await new MemoryService(reopened).GetAsync(id, cancellationToken: TestContext.Current.CancellationToken))!.Content);
    }

    [Theory]
    [InlineData(new[] { "staging", "port" }, "\"staging\" OR \"port\"")]
    [InlineData(new[] { "a\"b" }, "\"a\"\"b\"")]
    [InlineData(new[] { " ", "" }, "")]
    public void Match_expressions_quote_every_term(string[] terms, string expected) =>
        Assert.Equal(expected, SqliteMemoryStore.MatchExpression(terms));

    [Fact]
    public async Task Full_text_ranking_stays_exact_when_the_best_index_matches_belong_to_another_tenant()
    {
        // The scope's tokens match in the index whatever the tenant: forty strong matches of another
        // tenant's "alice" outrank this tenant's weak ones there, and must never crowd them out.
        await using var store = new SqliteMemoryStore(_folder.File("tenants.db"));
        var service = new MemoryService(store);
        for (var i = 0; i < 40; i++)
        {
            await service.AddAsync(new AddMemoryRequest { Content = $"apple apple apple orchard {i}", Scope = new MemoryScope { Tenant = "other", UserId = "alice" } }, TestContext.Current.CancellationToken);
        }
        var mine = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var added = await service.AddAsync(new AddMemoryRequest { Content = $"an apple and a long list of unrelated words to dilute it, number {i}", Scope = new MemoryScope { UserId = "alice" } }, TestContext.Current.CancellationToken);
            mine.Add(added.Results[0].Memory.Id);
        }

        var filter = new MemoryFilter { UserId = "alice" };
        var top3 = await store.SearchTextAsync(["apple"], filter, 3, TestContext.Current.CancellationToken);
        Assert.Equal(3, top3.Count);
        Assert.All(top3, h => Assert.Equal(MemoryScope.DefaultTenant, h.Memory.Scope.Tenant));
        var all = await store.SearchTextAsync(["apple"], filter, 50, TestContext.Current.CancellationToken);
        Assert.Equal(mine.Order(StringComparer.Ordinal), all.Select(h => h.Memory.Id).Order(StringComparer.Ordinal));
        Assert.Equal(40, (await store.SearchTextAsync(["apple"], filter with { Tenant = "other" }, 100, TestContext.Current.CancellationToken)).Count);
        // Rankings come best first on both paths.
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public async Task Ranking_in_two_halves_gives_the_same_hits_and_scores_as_one_ranking()
    {
        var path = _folder.File("split.db");
        await using var whole = new SqliteMemoryStore(path);
        await using var halves = new SqliteMemoryStore(path) { SplitRankingAbove = 10 };
        var service = new MemoryService(whole);
        var kinds = new[] { MemoryKind.Fact, MemoryKind.Observation, MemoryKind.Summary };
        for (var i = 0; i < 90; i++)
        {
            // Ties (the same text in several scopes) and a spread of strengths on both sides of the cut.
            var text = string.Join(' ', Enumerable.Repeat("apple", 1 + i % 4)) + $" orchard pear {i % 7} " + new string('x', i % 5 + 1);
            await service.AddAsync(new AddMemoryRequest { Content = text, Kind = kinds[i % 3], Scope = new MemoryScope { UserId = $"u{i % 3}" } }, TestContext.Current.CancellationToken);
        }
        foreach (var filter in new[] { new MemoryFilter(), new MemoryFilter { UserId = "u1" }, new MemoryFilter { Kinds = [MemoryKind.Observation] } })
        {
            foreach (var limit in new[] { 1, 5, 40, 200 })
            {
                var one = await whole.SearchTextAsync(["apple", "pear"], filter, limit, TestContext.Current.CancellationToken);
                var two = await halves.SearchTextAsync(["apple", "pear"], filter, limit, TestContext.Current.CancellationToken);
                Assert.NotEmpty(one);
                Assert.Equal(one.Select(h => (h.Memory.Id, h.Score)), two.Select(h => (h.Memory.Id, h.Score)));
            }
        }
    }
}

/// <summary>The bundled native library itself, for what SQLitePCLRaw does not expose.</summary>
internal static class NativeSqlite
{
    [System.Runtime.InteropServices.DllImport("e_sqlite3")]
    internal static extern int sqlite3_sleep(int milliseconds);
}
