using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Storage;

namespace Engram.Server.Tests;

/// <summary>
/// The viewer as a place to manage memory, in a real headless Chromium over the DevTools protocol: corrections
/// made in the page (through the REST API), the next session's context previewed for a budget, what a session
/// was given, and the pictures. Each step is driven as a person would (fill a field, submit, click) and checked
/// both in the page and against the server.
/// </summary>
public sealed class ViewerManagementTests
{
    private const string Project = "github.com/acme/shop";

    private static string Js(string text) => JsonSerializer.Serialize(text);

    private static async Task<string> AddAsync(ServerHost host, object body)
    {
        var (status, json) = await host.JsonAsync(HttpMethod.Post, "/api/v1/memories", JsonSerializer.Serialize(body));
        Assert.True(status == 200, $"add failed with {status}: {json}");
        return json.GetProperty("results")[0].GetProperty("id").GetString()!;
    }

    private static async Task<DevToolsPage> OpenAsync(ServerHost host)
    {
        var page = await DevToolsPage.OpenAsync(ViewerTests.Chromium(), host.Address);
        await page.WaitForAsync("document.getElementById('live').textContent === 'live' && document.querySelectorAll('#list li[data-id]').length > 0");
        return page;
    }

    private static async Task SelectAsync(DevToolsPage page, string id)
    {
        await page.EvaluateAsync($"document.querySelector('#list li[data-id=' + {Js(JsonSerializer.Serialize(id))} + ']').click()");
        await page.WaitForAsync($"document.querySelector('#detail dd') !== null && document.getElementById('detail').innerText.includes({Js(id)})");
    }

    /// <summary>Fills the named fields of a form in the detail panel (or any form matched by the selector) and submits it.</summary>
    private static async Task SubmitAsync(DevToolsPage page, string form, params (string Name, string Value)[] fields)
    {
        var sets = string.Concat(fields.Select(f => $"f.elements[{Js(f.Name)}].value = {Js(f.Value)};"));
        await page.EvaluateAsync($"(() => {{ const f = document.querySelector({Js(form)}); {sets} f.requestSubmit(); }})()");
    }

    private static async Task PreviewAsync(DevToolsPage page, int budget)
    {
        await page.EvaluateAsync($"(() => {{ document.getElementById('preview-project').value = {Js(Project)}; const b = document.getElementById('budget'); b.value = '{budget}'; b.dispatchEvent(new Event('input')); }})()");
        await page.WaitForAsync($"document.getElementById('preview-summary').textContent.includes('of {budget} tokens')");
    }

    [Fact]
    public async Task A_memory_edited_in_the_page_shows_the_new_text_and_a_history_entry_and_an_earlier_version_can_be_restored()
    {
        await using var host = await ServerHost.StartAsync();
        var id = await host.AddAsync("The staging database listens on port 5432", userId: "alice");
        await using var page = await OpenAsync(host);
        await SelectAsync(page, id);

        await SubmitAsync(page, "#detail form.edit", ("text", "The staging database listens on port 6543"), ("reason", "moved in March"));
        await page.WaitForAsync("document.querySelector('#detail pre.content').textContent === 'The staging database listens on port 6543'");
        await page.WaitForAsync("[...document.querySelectorAll('#detail .history li')].some(li => li.innerText.includes('UPDATE') && li.innerText.includes('moved in March') && li.innerText.includes('port 5432'))");
        await page.WaitForAsync("document.getElementById('list').innerText.includes('port 6543')");
        var (_, stored) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{id}");
        Assert.Equal("The staging database listens on port 6543", stored.GetProperty("memory").GetString());

        await page.EvaluateAsync("document.querySelector('#detail button.restore-version').click()");
        await page.WaitForAsync("document.querySelector('#detail pre.content').textContent === 'The staging database listens on port 5432'");
        var (_, back) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{id}");
        Assert.Equal("The staging database listens on port 5432", back.GetProperty("memory").GetString());
    }

    [Fact]
    public async Task A_memory_deleted_in_the_page_leaves_search_and_the_next_context_and_comes_back_when_restored()
    {
        await using var host = await ServerHost.StartAsync();
        var block = await AddAsync(host, new { text = "Invoices are exported as CSV with a semicolon separator", kind = "block" });
        await AddAsync(host, new { text = "Changed the cart totals to integer cents", title = "modified src/Cart.cs: cents", kind = "observation", type = "change", project = Project, session_id = "s1" });
        await using var page = await OpenAsync(host);

        await SelectAsync(page, block);
        await SubmitAsync(page, "#detail form.delete", ("reason", "we switched to commas"));
        await page.WaitForAsync("document.querySelector('#detail h2').textContent === 'Deleted memory' && document.getElementById('detail').innerText.includes('we switched to commas')");
        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{block}")).Status);

        await SubmitAsync(page, "#search-form", ("search", "invoices semicolon separator"));
        await page.WaitForAsync("document.getElementById('list-title').textContent.includes(': 0 found')");
        await page.EvaluateAsync("document.querySelector('nav button[data-view=context]').click()");
        await PreviewAsync(page, 1500);
        await page.WaitForAsync("document.getElementById('preview-text').textContent.includes('src/Cart.cs')");
        Assert.False((await page.EvaluateAsync("document.getElementById('preview-text').textContent.includes('semicolon')"))!.GetValue<bool>());

        // Restored from the panel that still shows the deleted memory: as the kind the page last saw (block).
        await page.EvaluateAsync("document.querySelector('nav button[data-view=memories]').click()");
        await page.WaitForAsync("document.querySelector('#detail form.restore select').value === 'block'");
        await SubmitAsync(page, "#detail form.restore", ("reason", "commas broke the bank import"));
        await page.WaitForAsync("document.querySelector('#detail pre.content') !== null && document.querySelector('#detail pre.content').textContent.includes('semicolon separator')");
        await page.WaitForAsync("document.getElementById('list-title').textContent.includes(': 1 found')");
        await page.EvaluateAsync("document.querySelector('nav button[data-view=context]').click()");
        await PreviewAsync(page, 1400);
        await page.WaitForAsync("document.getElementById('preview-text').textContent.includes('semicolon separator')");
        var (_, restored) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{block}");
        Assert.Equal("block", restored.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_memory_superseded_in_the_page_is_replaced_and_the_old_one_can_be_made_current_again()
    {
        await using var host = await ServerHost.StartAsync();
        var id = await host.AddAsync("Deploys happen on Tuesdays", userId: "alice");
        await using var page = await OpenAsync(host);
        await SelectAsync(page, id);

        await SubmitAsync(page, "#detail form.supersede", ("text", "Deploys happen on Thursdays"), ("reason", "new release train"));
        await page.WaitForAsync("document.querySelector('#detail pre.content').textContent === 'Deploys happen on Thursdays'");
        var newId = (await page.EvaluateAsync("document.querySelector('#detail dd').textContent"))!.GetValue<string>();
        Assert.NotEqual(id, newId);
        var (_, old) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{id}");
        Assert.Equal(newId, old.GetProperty("superseded_by").GetString());

        // The new one names the old one; its panel offers to make it current again.
        await page.EvaluateAsync("document.querySelector('#detail dd.link').click()");
        await page.WaitForAsync("document.querySelector('#detail form.restore') !== null && document.querySelector('#detail pre.content').textContent === 'Deploys happen on Tuesdays'");
        await SubmitAsync(page, "#detail form.restore", ("reason", "the release train was cancelled"));
        await page.WaitForAsync("document.querySelector('#detail form.edit') !== null && document.querySelector('#detail pre.content').textContent === 'Deploys happen on Tuesdays'");
        var (_, current) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{id}");
        Assert.False(current.TryGetProperty("valid_to", out _));
        Assert.Contains("the release train was cancelled", (await page.EvaluateAsync("document.getElementById('detail').innerText"))!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_preview_changes_with_the_budget()
    {
        await using var host = await ServerHost.StartAsync();
        await AddAsync(host, new { text = "Prices are stored in cents", kind = "block" });
        for (var i = 0; i < 30; i++)
        {
            await AddAsync(host, new { text = $"Step {i} of checkout computes totals in cents", title = $"modified src/Checkout{i}.cs: cents in step {i}", kind = "observation", type = "change", project = Project, session_id = "s" + (i % 3) });
        }
        await using var page = await OpenAsync(host);
        await page.EvaluateAsync("document.querySelector('nav button[data-view=context]').click()");

        await PreviewAsync(page, 150);
        var small = (await page.EvaluateAsync("[document.getElementById('preview-text').textContent.length, document.querySelectorAll('#preview-memories li').length]"))!.AsArray();
        await PreviewAsync(page, 2375);
        var large = (await page.EvaluateAsync("[document.getElementById('preview-text').textContent.length, document.querySelectorAll('#preview-memories li').length]"))!.AsArray();

        Assert.InRange(small[0]!.GetValue<int>(), 1, 150 * 4);
        Assert.True(large[0]!.GetValue<int>() > 150 * 4, $"{large[0]} characters at 2375 tokens");
        Assert.True(large[1]!.GetValue<int>() > small[1]!.GetValue<int>(), $"{large[1]} memories at 2375 tokens, {small[1]} at 150");
        Assert.Equal("2375 tokens", (await page.EvaluateAsync("document.getElementById('budget-value').textContent"))!.GetValue<string>());
    }

    [Fact]
    public async Task A_sessions_injections_are_shown_with_rank_reason_and_tokens_as_text()
    {
        await using var host = await ServerHost.StartAsync();
        var block = await AddAsync(host, new { text = "<img src=x onerror=\"document.title='pwned'\">Prices are stored in cents", kind = "block" });
        var change = await AddAsync(host, new { text = "Cart totals now in cents", kind = "observation", project = Project, session_id = "sess-early" });
        await AddAsync(host, new { text = "What did we decide about cents?", kind = "prompt", project = Project, session_id = "sess-late" });
        var at = DateTimeOffset.UtcNow;
        await host.Store.Injections.RecordInjectionsAsync([
            new InjectionRecord { SessionId = "sess-late", ContextId = "01JCTX0000000000000000000A", Project = Project, MemoryId = block, Rank = 1, Reason = "standing", Detail = "the user asked Engram to remember it", Tokens = 19, Source = "session-start", InjectedAt = at },
            new InjectionRecord { SessionId = "sess-late", ContextId = "01JCTX0000000000000000000A", Project = Project, MemoryId = change, Rank = 2, Reason = "relevance", Detail = "relevance 0.812 to the open work", Tokens = 14, Source = "session-start", InjectedAt = at },
        ], TestContext.Current.CancellationToken);
        await using var page = await OpenAsync(host);

        await page.EvaluateAsync("document.querySelector('nav button[data-view=sessions]').click()");
        await page.WaitForAsync("document.querySelector('#sessions li[data-session=\"sess-late\"]') !== null");
        await page.EvaluateAsync("document.querySelector('#sessions li[data-session=\"sess-late\"]').click()");
        await page.WaitForAsync("document.querySelectorAll('#injections table.injections tbody tr').length === 2");
        var rows = (await page.EvaluateAsync("[...document.querySelectorAll('#injections tbody tr')].map(tr => tr.innerText)"))!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Contains("standing", rows[0], StringComparison.Ordinal);
        Assert.Contains("<img src=x", rows[0], StringComparison.Ordinal);
        Assert.Contains("19", rows[0], StringComparison.Ordinal);
        Assert.Contains("relevance 0.812", rows[1], StringComparison.Ordinal);
        Assert.Contains("33 tokens in all", (await page.EvaluateAsync("document.getElementById('injections').innerText"))!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('#injections img').length"))!.GetValue<int>());
        Assert.Equal("Engram", (await page.EvaluateAsync("document.title"))!.GetValue<string>());
    }

    [Fact]
    public async Task The_pictures_are_drawn_as_inline_svg_with_data_as_text()
    {
        await using var host = await ServerHost.StartAsync();
        await AddAsync(host, new { text = "Prices are stored in cents", kind = "block" });
        await AddAsync(host, new { text = "Cart totals now in cents", kind = "observation", project = "<svg onload=alert(1)>", session_id = "sess-1" });
        await AddAsync(host, new { text = "Which currency?", kind = "prompt", project = Project, session_id = "sess-1" });
        var memory = await AddAsync(host, new { text = "The shop sells in euros only", kind = "fact", project = Project, session_id = "sess-0" });
        await host.Store.Injections.RecordInjectionsAsync([new InjectionRecord { SessionId = "sess-1", ContextId = "ctx-1", MemoryId = memory, Rank = 1, Reason = "relevance", Tokens = 3, Source = "session-start", InjectedAt = DateTimeOffset.UtcNow }], TestContext.Current.CancellationToken);
        await using var page = await OpenAsync(host);

        await page.EvaluateAsync("document.querySelector('nav button[data-view=pictures]').click()");
        await page.WaitForAsync("document.querySelectorAll('#pictures figure svg').length === 4");
        var activityBars = (await page.EvaluateAsync("[...document.querySelectorAll('#pictures svg.activity rect')].filter(r => Number(r.getAttribute('height')) > 0).length"))!.GetValue<int>();
        Assert.Equal(1, activityBars); // everything was added today
        var kinds = (await page.EvaluateAsync("[...document.querySelectorAll('#pictures figure:nth-child(2) svg text')].map(t => t.textContent).join('|')"))!.GetValue<string>();
        Assert.Contains("block", kinds, StringComparison.Ordinal);
        Assert.Contains("observation", kinds, StringComparison.Ordinal);
        var projects = (await page.EvaluateAsync("document.querySelector('#pictures figure:nth-child(3)').textContent"))!.GetValue<string>();
        Assert.Contains("<svg onload=alert(1)>", projects, StringComparison.Ordinal);
        Assert.Equal(4, (await page.EvaluateAsync("document.querySelectorAll('#pictures svg').length"))!.GetValue<int>());
        var tokens = (await page.EvaluateAsync("document.querySelector('#pictures figure:nth-child(4)').textContent"))!.GetValue<string>();
        Assert.Contains("3 injected", tokens, StringComparison.Ordinal);
        Assert.Contains("7 in full", tokens, StringComparison.Ordinal);
    }
}
