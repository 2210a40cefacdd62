using System.Data.Common;

namespace Engram.Core.Storage;

/// <summary>
/// How a SQL store runs work whose statements both SQL stores share (<see cref="SqlInjectionLog"/>): the work
/// gets a factory of commands with a given text, all on one connection, inside one transaction for a write.
/// The store keeps its connection handling, locking, retries and error messages.
/// </summary>
public interface ISqlRunner
{
    Task<T> ReadAsync<T>(Func<Func<string, DbCommand>, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Runs a write that changes no memory, so takes no part in the memories' history ordering.</summary>
    Task<T> WriteAsync<T>(Func<Func<string, DbCommand>, Task<T>> work, CancellationToken cancellationToken);
}
