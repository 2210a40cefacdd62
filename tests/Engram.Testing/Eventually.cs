namespace Engram.Testing;

/// <summary>
/// Waiting for something that happens by itself elsewhere (a process starts listening, a worker stores a memory,
/// a page finishes its script). The condition is checked again every few milliseconds until it holds; the only
/// bound is a hang guard far beyond any honest delay, so a slow or loaded machine makes a test slower, never red.
/// </summary>
public static class Eventually
{
    /// <summary>How long a wait may last before it counts as a hang.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Returns once <paramref name="condition"/> is true; fails the test, naming <paramref name="what"/>, when it is
    /// still false after <see cref="HangGuard"/>.
    /// </summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken) =>
        HoldsAsync(condition, what, null, cancellationToken);

    /// <summary>As <see cref="HoldsAsync(Func{Task{bool}}, string, CancellationToken)"/>; a failure also shows what <paramref name="state"/> describes.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, Func<Task<string>>? state, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > HangGuard)
            {
                var seen = state is null ? "" : "; last seen: " + await state();
                Assert.Fail($"{what} did not happen within the hang guard of {HangGuard.TotalMinutes:0} minutes{seen}");
            }
            await Task.Delay(Interval, cancellationToken);
        }
    }

    /// <inheritdoc cref="HoldsAsync(Func{Task{bool}}, string, CancellationToken)"/>
    public static Task HoldsAsync(Func<bool> condition, string what, CancellationToken cancellationToken) =>
        HoldsAsync(() => Task.FromResult(condition()), what, null, cancellationToken);
}
