using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Testing;

namespace Engram.Sqlite.Tests;

/// <summary>The winners of a ranking are checked and loaded by seq, never by walking a tenant's or user's index.</summary>
public sealed class SeqLookupTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Filters() => ["unscoped", "user", "user+kind+since", "project", "metadata"];

    private static MemoryFilter FilterFor(string name) => name switch
    {
        "unscoped" => new MemoryFilter(),
        "user" => new MemoryFilter { UserId = "u1" },
        "user+kind+since" => new MemoryFilter { UserId = "u1", Kinds = [MemoryKind.Fact], Since = DateTimeOffset.UnixEpoch },
        "project" => new MemoryFilter { Project = "p1" },
        _ => new MemoryFilter { UserId = "u1", Metadata = new Dictionary<string, string> { ["tool"] = "Edit" } },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task The_filter_check_looks_rows_up_by_seq(string name)
    {
        await using var store = new SqliteMemoryStore(_folder.File("plan.db"));
        var service = new MemoryService(store);
        for (var i = 0; i < 60; i++)
        {
            await service.AddAsync(new AddMemoryRequest
            {
                Content = $"note {i} about apples",
                Scope = new MemoryScope { UserId = $"u{i % 3}", Project = $"p{i % 2}" },
                Metadata = new Dictionary<string, string> { ["tool"] = i % 2 == 0 ? "Edit" : "Read" },
            }, TestContext.Current.CancellationToken);
        }
        await using var connection = await store.OpenAsync(TestContext.Current.CancellationToken);
        using var plan = connection.CreateCommand();
        plan.CommandText = $"EXPLAIN QUERY PLAN SELECT m.seq FROM {SeqLookup.From} WHERE {SqliteFilter.Where(FilterFor(name), plan)}";
        SeqLookup.Bind(plan, [1, 2, 3]);
        var steps = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) steps.Add(reader.GetString(3));
        }
        // The list ("listed") is the outer loop and each memory is found by its primary key, never through an index walk.
        Assert.Equal(2, steps.Count);
        Assert.StartsWith("SCAN", steps[0], StringComparison.Ordinal);
        Assert.Contains("listed", steps[0], StringComparison.Ordinal);
        Assert.Contains("INTEGER PRIMARY KEY", steps[1], StringComparison.Ordinal);
        Assert.DoesNotContain(steps, step => step.Contains("INDEX ix_", StringComparison.Ordinal));

        // And the lookup answers as the plain filter does over the same (all 60) rows.
        using var check = connection.CreateCommand();
        var filter = FilterFor(name) with { ActiveAt = DateTimeOffset.UtcNow };
        check.CommandText = $"SELECT m.seq FROM {SeqLookup.From} WHERE {SqliteFilter.Where(filter, check)}";
        SeqLookup.Bind(check, Enumerable.Range(1, 60).Select(i => (long)i));
        using var plain = connection.CreateCommand();
        plain.CommandText = $"SELECT m.seq FROM memories m WHERE {SqliteFilter.Where(filter, plain)}";
        var passing = await SeqsAsync(check);
        Assert.NotEmpty(passing);
        Assert.Equal((await SeqsAsync(plain)).Order(), passing.Order());
    }

    private static async Task<List<long>> SeqsAsync(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        var seqs = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) seqs.Add(reader.GetInt64(0));
        return seqs;
    }
}
