using Engram.Core.Model;

namespace Engram.Cli;

/// <summary>Options several commands declare, described once so their help says the same thing everywhere.</summary>
internal static class CommonOptions
{
    public static readonly OptionSpec Tenant = new("tenant", $"the tenant to work in (default: {MemoryScope.DefaultTenant})", "T");
    public static readonly OptionSpec User = new("user", "the user the memories belong to", "U");
    public static readonly OptionSpec Agent = new("agent", "the agent the memories belong to", "A");
    public static readonly OptionSpec Project = new("project", "the project key the memories belong to", "P");
    public static readonly OptionSpec Session = new("session", "the session the memories came from", "S");

    /// <summary>--tenant, --user, --agent, --project, --session: what a command sees.</summary>
    public static readonly OptionSpec[] Scope = [Tenant, User, Agent, Project, Session];

    public static readonly OptionSpec Json = OptionSpec.Flag("json", "print one JSON document on stdout instead of text");
    public static readonly OptionSpec Cwd = new("cwd", "the project folder (default: the current directory)", "DIR");
    public static readonly OptionSpec Actor = new("actor", "who made the change, recorded in the history (default: cli)", "NAME");
    public static readonly OptionSpec Reason = new("reason", "why, recorded in the history", "R");
    public static readonly OptionSpec Title = new("title", "a short title", "T");
    public static readonly OptionSpec Importance = new("importance", "how much it matters, from 0 to 1", "0-1");
    public static readonly OptionSpec Meta = new("meta", "metadata key=value (repeatable); as a filter, every pair must match", "k=v");

    public static readonly OptionSpec Kind = new("kind", "the memory's kind", "K") { Candidates = KindNames };
    public static readonly OptionSpec Kinds = new("kind", "only memories of this kind (repeatable)", "K") { Candidates = KindNames };
    public static readonly OptionSpec Since = new("since", "only memories from this time on: a date, a date-time, or an age like 12h, 7d, 2w", "D");
    public static readonly OptionSpec Until = new("until", "only memories up to this time: a date, a date-time, or an age like 12h, 7d, 2w", "D");
    public static readonly OptionSpec All = OptionSpec.Flag("all", "include superseded memories");

    /// <summary>--server URL: the memory commands that work against a running engram serve (<see cref="RemoteMode"/>).</summary>
    public static readonly OptionSpec Server = new("server", $"use a running engram serve at this URL instead of the local store (API key in {RemoteMode.ApiKeyVariable})", "URL");

    private static IEnumerable<string> KindNames() => MemoryKinds.All.Select(k => k.ToWire());
}
