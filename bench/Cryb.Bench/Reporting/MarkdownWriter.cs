using System.Globalization;
using System.Text;

namespace Cryb.Bench.Reporting;

/// <summary>A few Markdown blocks (headings, lines, tables) for <c>summary.md</c>.</summary>
public sealed class MarkdownWriter
{
    private readonly StringBuilder _text = new();

    public MarkdownWriter Heading(string title, int level = 2)
    {
        _text.Append('#', level).Append(' ').AppendLine(title).AppendLine();
        return this;
    }

    public MarkdownWriter Line(string line)
    {
        _text.AppendLine(line);
        return this;
    }

    public MarkdownWriter Blank()
    {
        _text.AppendLine();
        return this;
    }

    public MarkdownWriter Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        _text.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        _text.Append('|').AppendJoin("", headers.Select(_ => " --- |")).AppendLine();
        foreach (var row in rows)
        {
            _text.Append("| ").AppendJoin(" | ", row.Select(Cell)).AppendLine(" |");
        }

        _text.AppendLine();
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>A number as a table shows it: thousands grouped, at most the given decimals.</summary>
    public static string Number(double value, int decimals = 1) => value.ToString("#,0." + new string('#', decimals), CultureInfo.InvariantCulture);

    private static string Cell(object? value) => value switch
    {
        null => "",
        double number => Number(number, 2),
        long or int => Number(Convert.ToDouble(value, CultureInfo.InvariantCulture), 0),
        _ => value.ToString()!.Replace("|", "\\|", StringComparison.Ordinal),
    };
}
