using System.Globalization;

namespace EdgeAgent.Ctl.Fleet;

/// <summary>A plain text table, columns padded to their widest cell (CJK characters count two columns).</summary>
public sealed class TextTable(params string[] headings)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string?[] cells) => _rows.Add(cells.Select(c => c ?? "").ToArray());

    public void Write(TextWriter output)
    {
        var all = new List<string[]> { headings };
        all.AddRange(_rows);
        var widths = Enumerable.Range(0, headings.Length).Select(i => all.Max(r => i < r.Length ? Width(r[i]) : 0)).ToArray();
        foreach (var row in all)
        {
            var line = string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c + new string(' ', widths[i] - Width(c))));
            output.WriteLine(line.TrimEnd());
        }
    }

    public static int Width(string s)
    {
        var width = 0;
        foreach (var rune in s.EnumerateRunes())
            width += rune.Value >= 0x1100 && (rune.Value <= 0x115F || rune.Value >= 0x2E80 && rune.Value <= 0xA4CF || rune.Value >= 0xAC00 && rune.Value <= 0xD7A3
                || rune.Value >= 0xF900 && rune.Value <= 0xFAFF || rune.Value >= 0xFE30 && rune.Value <= 0xFE4F || rune.Value >= 0xFF00 && rune.Value <= 0xFF60
                || rune.Value >= 0xFFE0 && rune.Value <= 0xFFE6) ? 2 : 1;
        return width;
    }

    public static string When(DateTimeOffset? t) =>
        t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "-";
}
