using System.Globalization;
using System.Net;
using System.Text;
using static TorchSharp.torch;

namespace TorchLstm.Notebooks;

/// <summary>
/// A tensor in a notebook: its shape, dtype and device, and a preview of its values clipped to a few
/// rows and columns (the tensor is copied to the CPU only for the shown values).
/// </summary>
internal static class TensorPreview
{
    internal const int MaxRows = 8;
    internal const int MaxColumns = 10;

    public static string Header(Tensor tensor) =>
        $"Tensor [{string.Join(", ", tensor.shape)}] {tensor.dtype.ToString().ToLowerInvariant()} on {tensor.device}";

    public static string Html(Tensor tensor)
    {
        var (rows, clippedRows, clippedColumns) = Values(tensor);
        var html = new StringBuilder("<div><code>").Append(WebUtility.HtmlEncode(Header(tensor))).Append("</code>");
        if (rows.Count == 0) return html.Append("</div>").ToString();
        int columns = rows[0].Length + (clippedColumns ? 1 : 0);
        var cells = rows.Select(r => clippedColumns ? [.. r, "…"] : r).ToList();
        if (clippedRows) cells.Add([.. Enumerable.Repeat("⋮", columns)]);
        var headers = Enumerable.Range(0, rows[0].Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        if (clippedColumns) headers.Add("…");
        return html.Append('\n').Append(NotebookHtml.Table(headers, cells, [.. Enumerable.Repeat(true, columns)])).Append("</div>").ToString();
    }

    public static string PlainText(Tensor tensor)
    {
        var (rows, clippedRows, clippedColumns) = Values(tensor);
        var text = new StringBuilder(Header(tensor));
        foreach (var row in rows)
            text.Append("\n[").Append(string.Join(", ", row)).Append(clippedColumns ? ", …]" : "]");
        if (clippedRows) text.Append("\n…");
        return text.ToString();
    }

    /// <summary>The values as rows of the last dimension (a scalar is one row of one value), clipped.</summary>
    private static (List<string[]> Rows, bool ClippedRows, bool ClippedColumns) Values(Tensor tensor)
    {
        if (tensor.numel() == 0) return ([], false, false);
        using var scope = NewDisposeScope();
        var matrix = tensor.dim() == 0 ? tensor.reshape(1, 1) : tensor.reshape(-1, tensor.shape[^1]);
        long rowCount = matrix.shape[0], columnCount = matrix.shape[1];
        var shown = matrix[..(int)Math.Min(rowCount, MaxRows), ..(int)Math.Min(columnCount, MaxColumns)]
            .detach().cpu().to(ScalarType.Float64).contiguous();
        double[] values = shown.data<double>().ToArray();
        int width = (int)shown.shape[1];
        var rows = new List<string[]>();
        for (int r = 0; r < shown.shape[0]; r++)
            rows.Add(values.Skip(r * width).Take(width).Select(v => v.ToString("G6", CultureInfo.InvariantCulture)).ToArray());
        return (rows, rowCount > MaxRows, columnCount > MaxColumns);
    }
}
