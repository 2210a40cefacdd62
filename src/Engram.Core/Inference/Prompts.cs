namespace Engram.Core.Inference;

/// <summary>
/// The prompts Engram sends to a model, as versioned resources (Inference/Prompts/NAME.vN.txt): a change of
/// wording is a new version, and what was asked stays reviewable beside the code that parses the answer.
/// </summary>
public static class Prompts
{
    public static string ExtractFacts { get; } = Load("extract-facts.v1.txt");
    public static string Reconcile { get; } = Load("reconcile.v1.txt");

    private static string Load(string name)
    {
        var assembly = typeof(Prompts).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".Prompts." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }
}
