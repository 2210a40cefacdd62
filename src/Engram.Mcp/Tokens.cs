namespace Engram.Mcp;

/// <summary>A cheap token estimate (about four characters per token), good enough to budget a context window.</summary>
public static class Tokens
{
    public static int Estimate(string text) => string.IsNullOrEmpty(text) ? 0 : (text.Length + 3) / 4;
}
