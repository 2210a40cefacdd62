using Engram.Core.Model;
using Engram.Core.Search;
using Microsoft.Extensions.AI;

namespace Engram.Core.Services;

/// <summary>Adding with inference: an LLM turns the text into facts and reconciles them with the facts already stored.</summary>
public sealed partial class MemoryService
{
    /// <summary>Extract facts, find what they touch, decide, apply: updates and deletions supersede, never destroy.</summary>
    private async Task<AddResult> InferAsync(AddMemoryRequest request, IChatClient chat, CancellationToken cancellationToken)
    {
        var inference = new Inference.MemoryInference(chat);
        // Filtered before it leaves for the model: nothing private or secret is sent to a provider.
        var conversation = request.Messages.Count > 0
            ? ValidateContent(string.Join('\n', request.Messages.Select(m => $"{(m.AuthorName is { Length: > 0 } a ? a : m.Role.Value)}: {m.Text}")), Privacy.PrivacyFilter.NewScope())
            : ValidateContent(request.Content, Privacy.PrivacyFilter.NewScope());
        var facts = await inference.ExtractFactsAsync(conversation, cancellationToken);
        if (facts.Count == 0) return new AddResult([]);

        var scope = request.Scope.Normalized();
        var related = new Dictionary<string, Memory>(StringComparer.Ordinal);
        foreach (var fact in facts)
        {
            var hits = await SearchAsync(new SearchRequest
            {
                Query = fact,
                Filter = MemoryFilter.For(scope) with { Kinds = [MemoryKind.Fact] },
                Limit = 5,
                RecordAccess = false,
            }, cancellationToken);
            foreach (var hit in hits) related.TryAdd(hit.Memory.Id, hit.Memory);
        }
        var existing = related.Values.Take(20).ToList();
        var actions = await inference.ReconcileAsync(facts, existing, cancellationToken);

        var results = new List<AddedMemory>();
        foreach (var action in actions)
        {
            var target = action.Ref is { } r ? existing[r] : null;
            switch (action.Event)
            {
                case Inference.ReconcileEvent.Add:
                    results.AddRange((await AddAsync(FactRequest(request, scope, action.Text!), cancellationToken)).Results);
                    break;
                case Inference.ReconcileEvent.Update when target is not null:
                    var added = (await AddAsync(FactRequest(request, scope, action.Text!), cancellationToken)).Results[0];
                    if (added.Memory.Id == target.Id)
                    {
                        results.Add(new AddedMemory(target, AddOutcome.Unchanged));
                        break;
                    }
                    await SupersedeAsync(target, added.Memory, "updated by inference", "llm", cancellationToken);
                    results.Add(new AddedMemory(added.Memory, AddOutcome.Updated) { Previous = target });
                    break;
                case Inference.ReconcileEvent.Delete when target is not null:
                    results.Add(new AddedMemory(await SupersedeAsync(target, null, "no longer true, by inference", "llm", cancellationToken), AddOutcome.Invalidated));
                    break;
                case Inference.ReconcileEvent.Noop when target is not null:
                    results.Add(new AddedMemory(target, AddOutcome.Unchanged));
                    break;
            }
        }
        return new AddResult(results);
    }

    private static AddMemoryRequest FactRequest(AddMemoryRequest request, MemoryScope scope, string text) => new()
    {
        Content = text,
        Kind = MemoryKind.Fact,
        Scope = scope,
        Metadata = request.Metadata,
        Importance = request.Importance,
        ValidFrom = request.ValidFrom,
        Actor = request.Actor == "user" ? "llm" : request.Actor,
    };
}
