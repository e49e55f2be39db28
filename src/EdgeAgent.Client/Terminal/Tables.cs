using Spectre.Console;
using Spectre.Console.Rendering;

namespace EdgeAgent.Client.Terminal;

/// <summary>
/// Tables for a technician's terminal (Spectre.Console): columns aligned by display width, so Chinese text (two
/// columns a character) keeps the header in line, and long cells wrapped within the width instead of cut. Colour only
/// on a terminal; plain text when the output goes to a file or a pipe.
/// </summary>
public static class Tables
{
    /// <summary>
    /// The width to lay out for: the terminal's (cells wrap inside it); <c>COLUMNS</c> when set; else, for a file or a
    /// pipe, 200 columns, so that a line per row stays greppable.
    /// </summary>
    public static int Width(TextWriter output)
    {
        if (ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected && System.Console.WindowWidth > 20) return System.Console.WindowWidth;
        return int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 20 ? columns : 200;
    }

    /// <summary>A console over <paramref name="output"/> that wraps at <paramref name="width"/>; ANSI colour only when asked.</summary>
    public static IAnsiConsole For(TextWriter output, int width, bool color)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }

    /// <summary>A table with a simple border; cells are plain text (markup in them is escaped).</summary>
    public static Table Plain(params string[] headings)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in headings) table.AddColumn(new TableColumn(new Text(h)));
        return table;
    }

    public static void AddRow(this Table table, params string?[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? "")).ToArray());

    /// <summary>Writes a table to <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, Table table, bool color = false, int? width = null) =>
        For(output, width ?? Width(output), color).Write(table);

    /// <summary>A verdict in its colour: pass green, warn yellow, fail red, unknown grey.</summary>
    public static IRenderable Verdict(string verdict) => new Text(verdict, verdict switch
    {
        "pass" => new Style(Color.Green),
        "warn" => new Style(Color.Yellow),
        "fail" => new Style(Color.Red),
        _ => new Style(Color.Grey),
    });
}
