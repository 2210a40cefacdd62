using Engram.Core;
using Engram.Core.Services;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>engram migrate: copies the configured store (usually the SQLite file) into another store, such as a team's PostgreSQL.</summary>
internal static class MigrateCommand
{
    public static CommandSpec Spec() =>
        new("migrate", "copy every tenant's memories with their history (and the usage ledger) from this store into another; running it twice changes nothing", RunAsync)
        {
            Options =
            [
                new("to", "the target store: postgres or sqlite", "STORE") { Candidates = () => ["postgres", "sqlite"] },
                new("connection", "the target's connection string (a file path for sqlite)", "CONNECTION_STRING"),
                CommonOptions.Json,
            ],
            Details = () => "The source is the store the settings name (Storage:Provider, default the SQLite file in ENGRAM_HOME). " +
                "--to sqlite takes a file path as --connection. API keys are not copied (create them on the target); process the queue first (engram process).",
        };

    private static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var to = line.Value("to") ?? throw new UsageException("--to is required: engram migrate --to postgres --connection 'Host=...;Database=...;Username=...'");
        if (to is not ("postgres" or "sqlite")) throw new UsageException($"--to '{to}' is not a store; use postgres or sqlite");
        var connection = line.Value("connection") ?? throw new UsageException($"--connection is required: the {to} connection string" + (to == "sqlite" ? " (a file path)" : ""));
        if (RemoteMode.Server is not null) throw new UsageException("migrate works on local stores; it does not take --server");

        var home = EngramHome.Resolve();
        await using var source = await EngramRuntime.OpenAsync(home, cancellationToken: cancellationToken);
        await using var target = EngramRuntime.OpenStore(new StorageSettings { Provider = to, ConnectionString = connection }, home);
        if (string.Equals(target.Location, source.Store.Location, StringComparison.Ordinal))
        {
            throw new EngramException($"the target {target.Location} is the store being copied; name another one");
        }
        await target.InitializeAsync(cancellationToken);
        var summary = await MemoryTransfer.CopyAsync(source.Store, target, cancellationToken);
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("from", source.Store.Location);
                w.WriteString("to", target.Location);
                w.WriteNumber("tenants", summary.Tenants);
                w.WriteNumber("added", summary.MemoriesAdded);
                w.WriteNumber("already_present", summary.MemoriesAlreadyPresent);
                w.WriteNumber("history_entries", summary.HistoryEntries);
                w.WriteNumber("usage_rows", summary.UsageRows);
                w.WriteEndObject();
            });
        }
        else
        {
            Output.Line($"copied {source.Store.Location} to {target.Location}: {summary.Tenants} tenant(s), {summary.MemoriesAdded} memories added"
                + (summary.MemoriesAlreadyPresent > 0 ? $", {summary.MemoriesAlreadyPresent} already present" : "")
                + $", {summary.HistoryEntries} history entries; counts checked");
        }
        return 0;
    }
}
