using Engram.Agents.Worker;
using Engram.Core.Services;
using Engram.Core.Storage;
using Engram.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Registration extensions live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary><c>services.AddEngram(o => ...).UseSqlite().AddLocalEmbeddings()</c>: Engram's memory in an app's services.</summary>
public static class EngramServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IMemoryService"/> (and the store, and the providers chosen on the returned builder).
    /// The options are checked and the store is opened (created or migrated) when the host starts.
    /// </summary>
    public static EngramBuilder AddEngram(this IServiceCollection services, Action<EngramOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EngramOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngramOptions>, EngramOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<IEngramStore>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<EngramOptions>>().Value;
            var home = o.ResolveHome();
            if (o.Storage.Provider == "sqlite") Engram.Core.OwnerOnly.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.Storage.ConnectionString ?? home.DatabasePath))!);
            return EngramRuntime.OpenStore(o.Storage, home, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<IMemoryStore>(sp => sp.GetRequiredService<IEngramStore>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IEngramStore>().Queue);
        services.TryAddSingleton<IMemoryService>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<EngramOptions>>().Value;
            var settings = o.ToSettings();
            var time = sp.GetRequiredService<TimeProvider>();
            var store = sp.GetRequiredService<IEngramStore>();
            var chat = sp.GetRequiredService<EngramChat>().Client;
            return new MemoryService(store, settings.Search, EngramRuntime.Embeddings(settings.Embeddings, time), time, chat,
                embedOnWrite: settings.Embeddings.Provider != "local", logger: sp.GetService<ILogger<MemoryService>>());
        });
        services.TryAddSingleton(sp => new EngramChat(EngramRuntime.TrackedChat(sp.GetRequiredService<IOptions<EngramOptions>>().Value.ToSettings().Llm,
            sp.GetRequiredService<IEngramStore>(), sp.GetRequiredService<TimeProvider>())));
        services.AddHostedService<EngramStoreOpener>();
        return new EngramBuilder(services, choice => services.Configure(choice));
    }

    /// <summary>
    /// Runs Engram's background worker in the host (see <see cref="EngramWorkerService"/>) over the given agent services,
    /// which the hook endpoints (<c>MapEngramHooks</c>) use too. <see cref="EngramBuilder.AddWorker"/> registers it
    /// over <c>AddEngram</c>'s services; <c>engram serve</c> over its own runtime, with its command socket beside.
    /// </summary>
    public static IServiceCollection AddEngramWorker(this IServiceCollection services, Func<IServiceProvider, AgentServices> agents, Func<IWorkerCompanion?>? companion = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(agents);
        services.AddHostedService(sp => new EngramWorkerService(sp.GetRequiredService<AgentServices>(), companion));
        return services;
    }

    /// <summary>The chat model the options name (usage-tracked), or none: one instance for the memory service and the worker.</summary>
    internal sealed record EngramChat(Microsoft.Extensions.AI.IChatClient? Client);

    /// <summary>Says which option is wrong, so the app's start fails with a sentence, not a stack of generic errors.</summary>
    private sealed class EngramOptionsValidator : IValidateOptions<EngramOptions>
    {
        public ValidateOptionsResult Validate(string? name, EngramOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>Creates or migrates the store when the host starts, before the app takes requests.</summary>
    private sealed class EngramStoreOpener(IEngramStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
