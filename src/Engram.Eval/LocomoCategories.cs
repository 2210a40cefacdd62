namespace Engram.Eval;

/// <summary>LoCoMo's question categories and the names reports use for them.</summary>
public static class LocomoCategories
{
    public const int MultiHop = 1;
    public const int Temporal = 2;
    public const int OpenDomain = 3;
    public const int SingleHop = 4;
    public const int Adversarial = 5;

    /// <summary>Categories in report order (the reference scorer's: single-hop first).</summary>
    public static IReadOnlyList<int> ReportOrder { get; } = [SingleHop, MultiHop, Temporal, OpenDomain, Adversarial];

    /// <summary>"multi-hop", "temporal", "open-domain", "single-hop", "adversarial"; "category-N" for any other number.</summary>
    public static string Name(int category) => category switch
    {
        MultiHop => "multi-hop",
        Temporal => "temporal",
        OpenDomain => "open-domain",
        SingleHop => "single-hop",
        Adversarial => "adversarial",
        _ => $"category-{category}",
    };
}
