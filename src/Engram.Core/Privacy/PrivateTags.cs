using System.Text;

namespace Engram.Core.Privacy;

/// <summary>
/// Removes <c>&lt;private&gt;...&lt;/private&gt;</c> spans, which users put around text that must never be stored.
/// Tags match case-insensitively, spans may cross lines and nest, and the rule fails safe: an opening tag
/// that is never closed drops everything after it. A stray closing tag is removed and nothing else.
/// </summary>
public static class PrivateTags
{
    private const string Open = "<private>";
    private const string Close = "</private>";

    /// <summary>True when the text holds an opening or closing private tag.</summary>
    public static bool Contains(string? text) =>
        !string.IsNullOrEmpty(text)
        && (text.Contains(Open, StringComparison.OrdinalIgnoreCase) || text.Contains(Close, StringComparison.OrdinalIgnoreCase));

    /// <summary>The text without its private spans (and without stray closing tags).</summary>
    public static string Strip(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (!Contains(text)) return text;

        var result = new StringBuilder(text.Length);
        var scanner = new TagScanner(text);
        var position = 0;  // start of text not yet copied or dropped
        var depth = 0;
        while (scanner.Next(out var tagStart, out var isOpen))
        {
            if (depth == 0)
            {
                result.Append(text, position, tagStart - position);
                if (isOpen) depth = 1;
            }
            else
            {
                depth += isOpen ? 1 : -1;
            }
            position = scanner.Position;
        }
        // Unclosed span: everything after the opening tag stays private.
        if (depth == 0) result.Append(text, position, text.Length - position);
        return result.ToString();
    }

    /// <summary>Walks the tags of a text in order; each search runs once over each stretch of text.</summary>
    private ref struct TagScanner(string text)
    {
        private int _nextOpen = -2;  // -2: not searched yet, -1: none left
        private int _nextClose = -2;

        public int Position { get; private set; }

        public bool Next(out int tagStart, out bool isOpen)
        {
            if (_nextOpen == -2 || (_nextOpen >= 0 && _nextOpen < Position))
                _nextOpen = text.IndexOf(Open, Position, StringComparison.OrdinalIgnoreCase);
            if (_nextClose == -2 || (_nextClose >= 0 && _nextClose < Position))
                _nextClose = text.IndexOf(Close, Position, StringComparison.OrdinalIgnoreCase);

            if (_nextOpen < 0 && _nextClose < 0)
            {
                tagStart = -1;
                isOpen = false;
                return false;
            }
            isOpen = _nextClose < 0 || (_nextOpen >= 0 && _nextOpen < _nextClose);
            tagStart = isOpen ? _nextOpen : _nextClose;
            Position = tagStart + (isOpen ? Open.Length : Close.Length);
            return true;
        }
    }
}
