using System.Text;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Testing;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite.Tests;

/// <summary>
/// engram_bm25 gives FTS5's bm25() scores as the same doubles, and its pruned top k is bm25()'s top k, on a real
/// store of memories with a skewed vocabulary (a few words in most rows, many rare ones), several users and projects.
/// </summary>
public sealed class PrunedBm25Tests : IAsyncLifetime
{
    private const string Weights = SqliteMemoryStore.Bm25Weights;
    private readonly TempFolder _folder = new();
    private readonly Random _random = new(17);
    private readonly string[] _words = [.. Enumerable.Range(0, 400).Select(i => Word(i))];
    private SqliteMemoryStore _store = null!;
    private (string Match, int ScopePhrases) _last;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteMemoryStore(_folder.File("ranking.db"));
        var service = new MemoryService(_store);
        for (var i = 0; i < 1500; i++)
        {
            await service.AddAsync(new AddMemoryRequest
            {
                Title = i % 3 == 0 ? Text(3) : null,
                Content = Text(4 + _random.Next(40)),
                Concepts = i % 4 == 0 ? [Text(2)] : [],
                Kind = i % 4 == 1 ? MemoryKind.Observation : MemoryKind.Fact,
                Scope = new MemoryScope { UserId = $"user{i % 7}", Project = $"project{i % 3}" },
            }, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_score_is_bm25s_double(bool keptCounts)
    {
        await using var connection = await OpenAsync();
        var compared = 0;
        for (var q = 0; q < 300; q++)
        {
            // With kept counts, every other query is the one before again: its phrase counts come from memory.
            var (match, scopePhrases) = keptCounts && q % 2 == 1 ? _last : _last = Query();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT rowid, -bm25(memories_fts, {Weights}), {PrunedBm25.Score(scopePhrases, keptCounts ? _store.FullTextCacheId : 0, Weights)} FROM memories_fts WHERE memories_fts MATCH @match";
            command.Parameters.AddWithValue("@match", match);
            command.Parameters.AddWithValue("@take", 0);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                Assert.True(BitConverter.DoubleToInt64Bits(reader.GetDouble(1)) == BitConverter.DoubleToInt64Bits(reader.GetDouble(2)),
                    $"row {reader.GetInt64(0)} of {match}: bm25 {reader.GetDouble(1):R}, engram_bm25 {reader.GetDouble(2):R}");
                compared++;
            }
        }
        Assert.True(compared > 20_000, $"only {compared} rows compared");
    }

    [Fact]
    public async Task Unscoped_searches_over_postings_take_words_the_query_syntax_would_read_as_operators()
    {
        await using var overPostings = new SqliteMemoryStore(_store.Path) { RankOverPostingsAbove = 0 };
        await using var connection = await OpenAsync();
        string[] hostile = ["he said \"hi\"", "NEAR(", "a*b", "-", "col:umn", "***", "'; DROP TABLE memories; --", "line\nbreak", "nul\0byte", _words[0]];
        foreach (var word in hostile)
        {
            var terms = new List<string> { word, _words[7], word };
            var found = await overPostings.SearchTextAsync(terms, new MemoryFilter(), 10, TestContext.Current.CancellationToken);
            var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", SqliteMemoryStore.MatchExpression(terms), 10);
            Assert.Equal(expected.Select(e => e.Score), found.Select(f => f.Score));
        }
    }

    [Fact]
    public async Task Unscoped_searches_over_postings_hold_a_phrase_of_several_words_only_where_they_stand_in_order()
    {
        // Each phrase's postings are collected by walking that phrase alone: a row with the words apart or reversed
        // must not count, a row with them in order twice counts twice.
        var service = new MemoryService(_store);
        string[] contents = ["plum tart with cream", "tart plum jam", "plum and a tart", "plum tart then plum tart again", $"plum tart {_words[4]}"];
        foreach (var content in contents)
            await service.AddAsync(new AddMemoryRequest { Content = content, Title = "baking" }, TestContext.Current.CancellationToken);
        await using var overPostings = new SqliteMemoryStore(_store.Path) { RankOverPostingsAbove = 0 };
        await using var connection = await OpenAsync();
        foreach (var terms in new List<string>[] { ["plum tart"], ["plum tart", _words[4]], ["tart plum", "plum"] })
        {
            var found = await overPostings.SearchTextAsync(terms, new MemoryFilter(), 20, TestContext.Current.CancellationToken);
            var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", SqliteMemoryStore.MatchExpression(terms), 20);
            Assert.Equal(expected.Select(e => e.Score), found.Select(f => f.Score));
        }
        var inOrder = await overPostings.SearchTextAsync(["plum tart"], new MemoryFilter(), 20, TestContext.Current.CancellationToken);
        Assert.Equal(3, inOrder.Count);
        // Searched over postings (a search that cannot read them ranks in FTS5, with the same scores): the second and
        // third searches' four phrases collected once each (a store object's first unscoped search ranks in FTS5).
        Assert.Equal(4, FullTextCache.Find(overPostings.FullTextCacheId)!.Postings.Collected);
    }

    [Fact]
    public async Task Unscoped_searches_over_postings_score_long_rows_as_bm25_does()
    {
        // Lengths read in one pass from the docsize table: a column over 127 tokens takes a varint of two bytes, over
        // 16,383 of three; and a word in no other row, so the long rows are the ones ranked.
        var service = new MemoryService(_store);
        foreach (var tokens in new[] { 127, 128, 300, 16_383, 16_384, 40_000 })
        {
            // One-letter tokens, to stay under the content limit; a few of the common words among them.
            var content = "marmalade " + string.Join(' ', Enumerable.Range(0, tokens - 1).Select(i => i % 100 == 0 ? _words[i / 100 % 5] : ((char)('a' + i % 26)).ToString()));
            await service.AddAsync(new AddMemoryRequest { Content = content, Title = "marmalade jar" }, TestContext.Current.CancellationToken);
        }
        await using var overPostings = new SqliteMemoryStore(_store.Path) { RankOverPostingsAbove = 0 };
        await using var connection = await OpenAsync();
        foreach (var terms in new List<string>[] { ["marmalade"], ["marmalade", _words[1]], [_words[2], _words[300]] })
        {
            var found = await overPostings.SearchTextAsync(terms, new MemoryFilter(), 50, TestContext.Current.CancellationToken);
            var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", SqliteMemoryStore.MatchExpression(terms), 50);
            Assert.Equal(expected.Select(e => e.Score), found.Select(f => f.Score));
        }
        Assert.True(FullTextCache.Find(overPostings.FullTextCacheId)!.Lengths.Filled, "the lengths were not read in one pass");
    }

    [Fact]
    public async Task A_large_stores_second_search_reads_every_length_in_the_background_and_scores_stay_bm25s()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = new SqliteMemoryStore(_store.Path) { ReadAllLengthsAbove = 0 };
        var cache = FullTextCache.Find(store.FullTextCacheId)!;
        await using var connection = await OpenAsync();
        for (var q = 0; q < 60; q++)
        {
            var terms = new List<string> { PickWord(), PickWord(), _words[q % 5] };
            var filter = q % 3 == 0 ? new MemoryFilter() : new MemoryFilter { UserId = $"user{q % 7}" };
            var found = await store.SearchTextAsync(terms, filter, 10, ct);
            // A one-shot command searches once: its first search does not start the read.
            if (q == 0) Assert.False(cache.Lengths.Filled, "the first search read every length");
            if (q == 1)
            {
                await store.ReadingAllLengths;
                Assert.True(cache.Lengths.Filled, "the second search did not read every length");
            }
            var scope = ScopeTokens.Condition(filter);
            var match = SqliteMemoryStore.MatchExpression(terms);
            var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", scope.Length == 0 ? match : $"({match}) AND {scope}", 10);
            Assert.Equal(expected.Select(e => e.Score), found.Select(f => f.Score));
        }
    }

    [Fact]
    public async Task Kept_counts_are_dropped_when_the_index_changes()
    {
        await using var connection = await OpenAsync();
        var match = $"\"{_words[3]}\" OR \"{_words[200]}\"";
        var before = await RankAsync(connection, PrunedBm25.Score(0, _store.FullTextCacheId, Weights), match, 20);
        Assert.Equal(await RankAsync(connection, $"-bm25(memories_fts, {Weights})", match, 20), before);
        // Adding rows that hold the rare word lowers its IDF: a kept count from before would score the old way.
        var service = new MemoryService(_store);
        for (var i = 0; i < 30; i++)
        {
            await service.AddAsync(new AddMemoryRequest { Content = $"{_words[200]} {Text(5)}" }, TestContext.Current.CancellationToken);
        }
        var after = await RankAsync(connection, PrunedBm25.Score(0, _store.FullTextCacheId, Weights), match, 20);
        Assert.Equal(await RankAsync(connection, $"-bm25(memories_fts, {Weights})", match, 20), after);
        Assert.NotEqual(before.Select(b => b.Score), after.Select(a => a.Score));
    }

    [Fact]
    public async Task Searches_while_another_process_writes_never_fail_and_are_exact_once_it_stops()
    {
        var ct = TestContext.Current.CancellationToken;
        var words = Enumerable.Range(0, 12).Select(i => _words[i]).ToArray();
        var searches = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Two searchers on one store object (kept counts, lengths and postings in play; rankings and collections split
        // over two connections), a writer on a second store object on the file.
        await using var searched = new SqliteMemoryStore(_store.Path) { SplitRankingAbove = 200, RankOverPostingsAbove = 0 };
        var searchers = Enumerable.Range(0, 2).Select(n => Task.Run(async () =>
        {
            var random = new Random(n);
            while (!stop.IsCancellationRequested)
            {
                var terms = new List<string> { words[random.Next(words.Length)], words[random.Next(words.Length)], PickWordWith(random) };
                var filter = n == 0 ? new MemoryFilter() : new MemoryFilter { UserId = $"user{random.Next(7)}" };
                await searched.SearchTextAsync(terms, filter, 10, ct);
                Interlocked.Increment(ref searches);
            }
        }, ct)).ToList();
        await using (var other = new SqliteMemoryStore(_store.Path))
        {
            var writer = new MemoryService(other);
            var random = new Random(99);
            var ids = new List<string>();
            for (var i = 0; i < 150; i++)
            {
                var text = string.Join(' ', Enumerable.Range(0, 3 + random.Next(20)).Select(_ => PickWordWith(random)));
                ids.Add((await writer.AddAsync(new AddMemoryRequest { Content = text, Scope = new MemoryScope { UserId = $"user{i % 7}" } }, ct)).Results[0].Memory.Id);
                if (i % 10 == 5) await writer.UpdateAsync(ids[random.Next(ids.Count)], new MemoryUpdate { Content = $"{text} {text}" }, cancellationToken: ct);
                if (i % 10 == 9)
                {
                    var gone = ids[random.Next(ids.Count)];
                    ids.Remove(gone);
                    await writer.DeleteAsync(gone, cancellationToken: ct);
                }
            }
        }
        await stop.CancelAsync();
        await Task.WhenAll(searchers);
        Assert.True(searches > 20, $"only {searches} searches ran while the writer wrote");

        await using var connection = await OpenAsync();
        for (var q = 0; q < 40; q++)
        {
            var terms = new List<string> { words[q % words.Length], words[(q * 5 + 1) % words.Length], PickWord() };
            var found = await searched.SearchTextAsync(terms, new MemoryFilter(), 10, ct);
            var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", SqliteMemoryStore.MatchExpression(terms), 10);
            Assert.Equal(expected.Select(e => e.Score), found.Select(f => f.Score));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Kept_counts_and_postings_follow_rows_added_and_removed_since_they_were_counted(bool overPostings)
    {
        // Unscoped searches rank over kept postings; with those off, in FTS5 with kept counts.
        await using var store = new SqliteMemoryStore(_store.Path) { RankOverPostingsAbove = overPostings ? 0 : long.MaxValue, SplitRankingAbove = 200 };
        var service = new MemoryService(store);
        await using var connection = await OpenAsync();
        var compared = 0;
        for (var round = 0; round < 12; round++)
        {
            // Rows added (every round), and in some rounds one deleted or edited: the rewrite log then says so.
            for (var i = 0; i < 3; i++) await service.AddAsync(new AddMemoryRequest { Content = Text(3 + _random.Next(10)) }, TestContext.Current.CancellationToken);
            if (round % 4 == 3)
            {
                var victim = (await RankAsync(connection, "rowid", $"\"{_words[round]}\"", 1))[0].Rowid;
                using var delete = connection.CreateCommand();
                delete.CommandText = "SELECT id FROM memories WHERE seq = @seq";
                delete.Parameters.AddWithValue("@seq", victim);
                var id = (string)(await delete.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
                await service.DeleteAsync(id, cancellationToken: TestContext.Current.CancellationToken);
            }
            for (var q = 0; q < 10; q++)
            {
                // Common words, so the counts are worth keeping; the same few queries again and again.
                var terms = new List<string> { _words[q % 4], _words[4 + (q % 3)], PickWord() };
                var found = await store.SearchTextAsync(terms, new MemoryFilter(), 10, TestContext.Current.CancellationToken);
                var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", SqliteMemoryStore.MatchExpression(terms), 10);
                Assert.Equal(expected.Select(e => e.Score), found.Select(f => f.Score));
                compared++;
            }
        }
        Assert.Equal(120, compared);
        var cache = FullTextCache.Find(store.FullTextCacheId)!;
        if (overPostings) Assert.True(cache.Postings.Appended > 50, "kept postings were never brought up to date");
        else Assert.True(cache.CountsBroughtUpToDate > 50, "kept counts were never brought up to date");
    }

    [Fact]
    public async Task Kept_lengths_are_not_trusted_once_their_rows_are_rewritten_here_or_by_another_process()
    {
        // Rows holding a word of their own.
        var service = new MemoryService(_store);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var request = new AddMemoryRequest { Content = $"quillwort {Text(3 + i)}" };
            ids.Add((await service.AddAsync(request, TestContext.Current.CancellationToken)).Results[0].Memory.Id);
        }
        await using var connection = await OpenAsync();
        const string match = "\"quillwort\"";
        var kept = PrunedBm25.Score(0, _store.FullTextCacheId, Weights);
        var plain = $"-bm25(memories_fts, {Weights})";
        var before = await RankAsync(connection, kept, match, 100);
        Assert.Equal(await RankAsync(connection, plain, match, 100), before);
        Assert.Equal(before, await RankAsync(connection, kept, match, 100));
        var sizesBefore = await SizesAsync(connection);

        // Another process (a second store on the file) makes rows longer and shorter, deletes one, and deletes the
        // newest so that the next row added here takes its seq again.
        await using (var other = new SqliteMemoryStore(_store.Path))
        {
            var elsewhere = new MemoryService(other);
            await elsewhere.UpdateAsync(ids[7], new MemoryUpdate { Content = $"quillwort {Text(60)}" }, cancellationToken: TestContext.Current.CancellationToken);
            await elsewhere.UpdateAsync(ids[9], new MemoryUpdate { Content = "quillwort" }, cancellationToken: TestContext.Current.CancellationToken);
            await elsewhere.DeleteAsync(ids[8], cancellationToken: TestContext.Current.CancellationToken);
            await elsewhere.DeleteAsync(ids[^1], cancellationToken: TestContext.Current.CancellationToken);
        }
        var newest = before.Max(r => r.Rowid);
        await service.AddAsync(new AddMemoryRequest { Content = $"quillwort {Text(30)}" }, TestContext.Current.CancellationToken);

        var after = await RankAsync(connection, kept, match, 100);
        Assert.Equal(await RankAsync(connection, plain, match, 100), after);
        Assert.Contains(after, r => r.Rowid == newest);
        // Rows ranked before now have other lengths (two edited, a seq taken again): kept ones would show.
        var sizesAfter = await SizesAsync(connection);
        var changed = before.Count(b => sizesAfter.TryGetValue(b.Rowid, out var size) && size != sizesBefore[b.Rowid]);
        Assert.True(changed == 3, $"{changed} rows ranked before have another length now, not 3");
    }

    /// <summary>Every row's column sizes as FTS5 keeps them (its docsize table), by rowid.</summary>
    private static async Task<Dictionary<long, string>> SizesAsync(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, hex(sz) FROM memories_fts_docsize";
        var sizes = new Dictionary<long, string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) sizes[reader.GetInt64(0)] = reader.GetString(1);
        return sizes;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(66)]
    public async Task The_pruned_best_rows_are_bm25s_best_rows(int take)
    {
        await using var connection = await OpenAsync();
        var pruned = 0;
        for (var q = 0; q < 150; q++)
        {
            var (match, scopePhrases) = Query();
            var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", match, take);
            var actual = await RankAsync(connection, PrunedBm25.Score(scopePhrases, _store.FullTextCacheId, Weights), match, take);
            Assert.Equal(expected, actual);
            // Rows left unscored come back as the worst score, which the LIMIT above never reached.
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM memories_fts WHERE memories_fts MATCH @match AND {PrunedBm25.Score(scopePhrases, 0, Weights)} = -1e999";
            count.Parameters.AddWithValue("@match", match);
            count.Parameters.AddWithValue("@take", take);
            pruned += Convert.ToInt32(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.True(pruned > 1000, $"only {pruned} rows went unscored: the bound prunes nothing");
    }

    [Fact]
    public async Task A_store_search_matches_the_plain_bm25_order()
    {
        await using var connection = await OpenAsync();
        for (var q = 0; q < 40; q++)
        {
            var terms = Enumerable.Range(0, 2 + _random.Next(3)).Select(_ => PickWord()).ToList();
            var filter = new MemoryFilter { UserId = $"user{_random.Next(7)}" };
            var found = await _store.SearchTextAsync(terms, filter with { ActiveAt = DateTimeOffset.UtcNow }, 10, TestContext.Current.CancellationToken);
            var match = $"({SqliteMemoryStore.MatchExpression(terms)}) AND {ScopeTokens.Condition(filter)}";
            var expected = await RankAsync(connection, $"-bm25(memories_fts, {Weights})", match, 10);
            Assert.Equal(expected.Select(e => e.Score), found.Select(f => f.Score));
        }
    }

    [Fact]
    public async Task A_time_range_search_ranks_exactly_when_valid_times_are_out_of_order()
    {
        // Valid times that jump back and forth across a year: a range's rows are spread over all seqs, not one stretch.
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var service = new MemoryService(_store);
        for (var i = 0; i < 1000; i++)
        {
            await service.AddAsync(new AddMemoryRequest
            {
                Content = Text(4 + _random.Next(30)),
                ValidFrom = start.AddHours(_random.Next(365 * 24)),
                Scope = new MemoryScope { UserId = $"user{i % 7}" },
            }, TestContext.Current.CancellationToken);
        }
        // A low split point, so the ranges of the split ranking cut through the window too.
        await using var store = new SqliteMemoryStore(_store.Path) { SplitRankingAbove = 300 };
        await using var connection = await OpenAsync();
        var compared = 0;
        for (var q = 0; q < 80; q++)
        {
            var terms = Enumerable.Range(0, 2 + _random.Next(3)).Select(_ => PickWord()).ToList();
            var since = start.AddDays(_random.Next(330));
            var filter = new MemoryFilter { UserId = $"user{_random.Next(7)}", Since = since, Until = since.AddDays(20 + _random.Next(100)) };
            var found = await store.SearchTextAsync(terms, filter, 10, TestContext.Current.CancellationToken);

            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT m.id, -bm25(memories_fts, {Weights}) AS score FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid " +
                "WHERE memories_fts MATCH @match AND m.user_id = @user AND m.valid_from >= @since AND m.valid_from < @until AND m.valid_to IS NULL " +
                "ORDER BY score DESC, memories_fts.rowid LIMIT 10";
            command.Parameters.AddWithValue("@match", SqliteMemoryStore.MatchExpression(terms));
            command.Parameters.AddWithValue("@user", filter.UserId);
            command.Parameters.AddWithValue("@since", filter.Since!.Value.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("@until", filter.Until!.Value.ToUnixTimeMilliseconds());
            var expected = new List<(string, double)>();
            await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
            {
                while (await reader.ReadAsync(TestContext.Current.CancellationToken)) expected.Add((reader.GetString(0), reader.GetDouble(1)));
            }
            Assert.Equal(expected, found.Select(f => (f.Memory.Id, f.Score)));
            compared += expected.Count;
        }
        Assert.True(compared > 400, $"only {compared} hits compared");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    public async Task Below_CommonRowsRanked_searches_with_common_words_rank_every_row_as_one_ranking(int limit)
    {
        // Unscoped, scoped and kind-filtered, queries of common words, rare ones and both, in a store smaller than CommonRowsRanked.
        await using var connection = await OpenAsync();
        var (withCommon, allCommon) = (0, 0);
        for (var q = 0; q < 120; q++)
        {
            var terms = Enumerable.Range(0, 1 + _random.Next(4)).Select(_ => PickWord()).ToList();
            var filter = (q % 3) switch
            {
                0 => new MemoryFilter(),
                1 => new MemoryFilter { UserId = $"user{_random.Next(7)}" },
                _ => new MemoryFilter { Project = $"project{_random.Next(3)}", Kinds = [MemoryKind.Fact] },
            };
            var found = await _store.SearchTextAsync(terms, filter, limit, TestContext.Current.CancellationToken);
            var expected = (await RankEveryRowAsync(connection, terms, filter)).Take(limit).Select(r => (r.Id, r.Score));
            Assert.Equal(expected, found.Select(f => (f.Memory.Id, f.Score)));
            var common = await CommonAsync(connection, terms);
            if (common.Contains(true)) withCommon++;
            if (!common.Contains(false)) allCommon++;
        }
        Assert.True(withCommon - allCommon > 20 && allCommon > 10, $"{withCommon} queries had a common word, {allCommon} only common words");
    }

    [Fact]
    public async Task In_a_large_store_rows_of_only_common_words_come_from_the_newest_first()
    {
        const int stretch = 300;
        await using var store = new SqliteMemoryStore(_store.Path) { CommonRowsRanked = stretch, SplitRankingAbove = 200 };
        await using var connection = await OpenAsync();
        var last = await ScalarAsync(connection, "SELECT max(seq) FROM memories");
        var (compared, narrowed) = (0, 0);
        string[] hostile = ["he said \"hi\"", "NEAR(", "a*b", "-", "col:umn", "***", "'; DROP TABLE memories; --", "line\nbreak", "nul\0byte"];
        for (var q = 0; q < 120; q++)
        {
            var terms = Enumerable.Range(0, 1 + _random.Next(4)).Select(_ => PickWord()).ToList();
            // Now and then a word the query syntax would read as an operator, or one that holds no token at all.
            if (q % 5 == 0) terms.Insert(_random.Next(terms.Count + 1), hostile[q / 5 % hostile.Length]);
            var filter = (q % 3) switch
            {
                0 => new MemoryFilter(),
                1 => new MemoryFilter { UserId = $"user{_random.Next(7)}" },
                _ => new MemoryFilter { Kinds = [MemoryKind.Observation] },
            };
            var found = await store.SearchTextAsync(terms, filter, 10, TestContext.Current.CancellationToken);

            // Every row holding a rarer word is ranked (every row holding all the words, when all are common); the others
            // from the newest stretch of seqs, and from the next older one only while fewer than the limit are found.
            var every = await RankEveryRowAsync(connection, terms, filter);
            var common = await CommonAsync(connection, terms);
            var rare = terms.Where((_, i) => !common[i]).ToList();
            var holdingRare = rare.Count > 0 ? (await RankEveryRowAsync(connection, rare, filter)).Select(r => r.Seq).ToHashSet()
                : terms.Count > 1 ? (await RankEveryRowAsync(connection, terms, filter, all: true)).Select(r => r.Seq).ToHashSet() : [];
            List<(string, double)> expected = [];
            for (var stretches = 1; ; stretches++)
            {
                var ranked = every.Where(r => holdingRare.Contains(r.Seq) || r.Seq > last - stretches * stretch).ToList();
                expected = [.. ranked.Take(10).Select(r => (r.Id, r.Score))];
                if (ranked.Count >= 10 || stretches * stretch >= last) break;
            }
            Assert.Equal(expected, found.Select(f => (f.Memory.Id, f.Score)));
            compared += expected.Count;
            if (!expected.SequenceEqual(every.Take(10).Select(r => (r.Id, r.Score)))) narrowed++;
        }
        Assert.True(compared > 800 && narrowed > 10, $"{compared} hits compared, {narrowed} queries narrowed");
    }

    /// <summary>Every current row matching any term (or all of them) and the filter, by plain bm25(), best first (seq breaks ties).</summary>
    private static async Task<List<(long Seq, string Id, double Score)>> RankEveryRowAsync(SqliteConnection connection, List<string> terms, MemoryFilter filter, bool all = false)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT m.seq, m.id, -bm25(memories_fts, {Weights}) AS score FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid " +
            "WHERE memories_fts MATCH @match AND m.valid_to IS NULL AND (@user IS NULL OR m.user_id = @user) AND (@project IS NULL OR m.project = @project) " +
            "AND (@kind IS NULL OR m.kind = @kind) ORDER BY score DESC, m.seq";
        command.Parameters.AddWithValue("@match", all ? string.Join(" AND ", terms.Select(t => SqliteMemoryStore.MatchExpression([t]))) : SqliteMemoryStore.MatchExpression(terms));
        command.Parameters.AddWithValue("@user", (object?)filter.UserId ?? DBNull.Value);
        command.Parameters.AddWithValue("@project", (object?)filter.Project ?? DBNull.Value);
        command.Parameters.AddWithValue("@kind", filter.Kinds.Count == 0 ? DBNull.Value : filter.Kinds[0].ToWire());
        var rows = new List<(long, string, double)>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetDouble(2)));
        return rows;
    }

    /// <summary>Whether each term is common: FTS5's IDF of its row count up to 3 (in more than about 1 in 20 rows).</summary>
    private static async Task<bool[]> CommonAsync(SqliteConnection connection, List<string> terms)
    {
        var rows = await ScalarAsync(connection, "SELECT count(*) FROM memories_fts");
        var common = new bool[terms.Count];
        for (var i = 0; i < terms.Count; i++)
        {
            var hits = await ScalarAsync(connection, "SELECT count(*) FROM memories_fts WHERE memories_fts MATCH @match", SqliteMemoryStore.MatchExpression([terms[i]]));
            common[i] = Math.Log((rows - hits + 0.5) / (hits + 0.5)) <= 3.0;
        }
        return common;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, string? match = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (match is not null) command.Parameters.AddWithValue("@match", match);
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<(long Rowid, double Score)>> RankAsync(SqliteConnection connection, string score, string match, int take)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT rowid, {score} AS score FROM memories_fts WHERE memories_fts MATCH @match ORDER BY score DESC, rowid LIMIT @take";
        command.Parameters.AddWithValue("@match", match);
        command.Parameters.AddWithValue("@take", take);
        var rows = new List<(long, double)>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) rows.Add((reader.GetInt64(0), reader.GetDouble(1)));
        return rows;
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = await _store.OpenAsync(TestContext.Current.CancellationToken);
        PrunedBm25.Register(connection);
        return connection;
    }

    /// <summary>Two to five words, common and rare, OR'd; most queries scoped to a user, some to a project too, some not at all.</summary>
    private (string Match, int ScopePhrases) Query()
    {
        var terms = Enumerable.Range(0, 2 + _random.Next(4)).Select(_ => PickWord()).ToList();
        var filter = _random.Next(4) switch
        {
            0 => new MemoryFilter(),
            1 => new MemoryFilter { UserId = $"user{_random.Next(7)}", Project = $"project{_random.Next(3)}" },
            _ => new MemoryFilter { UserId = $"user{_random.Next(7)}" },
        };
        var scope = ScopeTokens.Condition(filter);
        var match = SqliteMemoryStore.MatchExpression(terms);
        return (scope.Length == 0 ? match : $"({match}) AND {scope}", ScopeTokens.PhraseCount(filter));
    }

    private string Text(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => PickWord()));

    /// <summary>Zipf-like: word i is drawn about 1/(i+1) as often as word 0.</summary>
    private string PickWord() => PickWordWith(_random);

    private string PickWordWith(Random random) => _words[(int)Math.Floor(Math.Pow(_words.Length + 1, random.NextDouble())) - 1];

    private static string Word(int i)
    {
        const string consonants = "bdfgklmnprstvz";
        const string vowels = "aeiou";
        var word = new StringBuilder();
        for (var n = i + 7; word.Length < 6; n /= 3) word.Append(consonants[n % consonants.Length]).Append(vowels[n % vowels.Length]);
        return word.ToString() + i;
    }
}
