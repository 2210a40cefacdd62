namespace Engram.Core;

/// <summary>
/// An error a user can act on: the message names the input and, where there is one, the fix.
/// Front ends print the message alone, never a stack trace.
/// </summary>
public class EngramException : Exception
{
    public EngramException(string message) : base(message) { }
    public EngramException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The memory asked for does not exist in the caller's tenant.</summary>
public sealed class MemoryNotFoundException(string id, string? detail = null)
    : EngramException(detail is null ? $"memory {id} not found" : $"memory {id} not found: {detail}")
{
    public string MemoryId { get; } = id;
}

/// <summary>
/// The store could not carry out the operation (busy, disk full, damaged, unreachable): a fault on the
/// server's side, never the caller's input, so servers answer it with 503 and clients may retry.
/// </summary>
public sealed class StoreUnavailableException : EngramException
{
    public StoreUnavailableException(string message) : base(message) { }
    public StoreUnavailableException(string message, Exception inner) : base(message, inner) { }
}
