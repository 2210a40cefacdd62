using Engram.Core.Security;

namespace Engram.Core.Storage;

/// <summary>
/// A complete store: memories (<see cref="IMemoryStore"/>) plus the capabilities the CLI, the worker and
/// the server need, as typed properties rather than casts. Every store (SQLite, PostgreSQL) offers all of
/// them and passes the same conformance suite; a property may return the store itself.
/// </summary>
public interface IEngramStore : IMemoryStore
{
    /// <summary>The durable queue of raw events.</summary>
    IEventQueue Queue { get; }

    /// <summary>Every change in order, for the live event stream.</summary>
    IChangeFeed Changes { get; }

    /// <summary>API keys of <c>engram serve</c>.</summary>
    IApiKeyStore ApiKeys { get; }

    /// <summary>Model usage per day, for <c>engram stats</c> and the daily token budget.</summary>
    IUsageLedger Usage { get; }

    /// <summary>Which memories were injected into which session, and why.</summary>
    IInjectionLog Injections { get; }

    /// <summary>Every tenant that holds memories or history, in ordinal order (to copy or move a whole store).</summary>
    Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken = default);
}
