using TorchLstm.NotebookRunner;
using TorchLstm.Reporting;
using static TorchLstm.Tests.Notebooks.NotebookFixture;

namespace TorchLstm.Tests.Notebooks;

/// <summary>What the real kernel shows for the library's own types, registered by merely referencing the package.</summary>
[Trait("Category", "Notebooks")]
[Collection(KernelCollection.Name)]
public class NotebookDisplayTests
{
    private static readonly Lazy<NotebookResult> Shown = new(() =>
    {
        string png = Path.Combine(Path.GetTempPath(), $"display-test-{Guid.NewGuid():N}.png");
        Plots.Lines(png, [0, 1, 2], [new NamedSeries("y", [1, 4, 9])], new PlotOptions { Width = 120, Height = 90 });
        return Run(
            Code("using TorchLstm.Data;\nusing TorchLstm.Models;\n" + UseLibrary),
            Code("display(new MarkdownTable([\"model\", \"mse\"]).AddRow(\"lstm|gru\", 0.5).AddRow(\"rnn\", 0.25));"),
            Code("var model = new StackedLstm(inputSize: 1, hiddenSizes: [8], outputSize: 1);\ndisplay(ModelSummary.Create(model, [1, 10, 1]));"),
            Code("var series = BundledDatasets.NoisySine(points: 200, end: 10, noise: 0.1, seed: 1);\n" +
                 "var data = ForecastData.Prepare(TimeSeriesTable.FromTensor(series, columns: [\"y\"]), new ForecastDataOptions { Lookback = 10, Horizon = 1 });\n" +
                 "var history = new ExperimentRunner().Fit(model, data.Train, data.Validation, new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 1 });"),
            Code("history"),
            Code($"display(PngImage.FromFile(@\"{png}\"));\ndisplay(new MarkdownText(\"**bold**\"));"),
            Code($"System.IO.File.ReadAllBytes(@\"{png}\").Length"),
            Code("TorchSharp.torch.arange(0, 24, dtype: TorchSharp.torch.float32).reshape(2, 12)"),
            Code("new Translation(\"3 May\", \"05-03\", [\"3\", \"M\"], [\"0\", \"5\"], new Hypothesis([4, 5], -0.1, -0.1, true, new float[,] { { 0.9f, 0.1f }, { 0.25f, 0.75f } }))"),
            Code("var forecast = TorchLstm.Experiments.ForecastExperiment.Run(new TorchLstm.Experiments.ForecastExperimentOptions\n" +
                 "{ HiddenSizes = [4], Training = new TrainingOptions { Epochs = 1, Seed = 1, Progress = ProgressMode.None } });\nforecast"));
    });

    [Fact]
    public void A_tensor_shows_its_shape_dtype_device_and_a_clipped_preview()
    {
        var tensor = Assert.Single(Outputs(8));
        string html = tensor.Data[MimeTypes.Html];
        Assert.StartsWith("<div><code>Tensor [2, 12] float32 on cpu</code>", html, StringComparison.Ordinal);
        // 12 columns are clipped to the first 10 and an ellipsis: the second row shows 12..21, not 22.
        Assert.Contains("<td style=\"text-align:right\">12</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td style=\"text-align:right\">21</td><td style=\"text-align:right\">…</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">22<", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_translation_shows_its_attention_as_a_heatmap()
    {
        var translation = Assert.Single(Outputs(9));
        string html = translation.Data[MimeTypes.Html];
        Assert.Contains("<code>3 May</code> &rarr; <code>05-03</code>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th></th><th>3</th><th>M</th></tr>", html, StringComparison.Ordinal);
        Assert.Contains("title=\"0.900\" style=\"width:14px;height:14px;background:rgba(31,119,180,0.90)\"", html, StringComparison.Ordinal);
        Assert.Contains("title=\"0.750\"", html, StringComparison.Ordinal);
        Assert.Equal("3 May → 05-03", translation.PlainText);
    }

    [Fact]
    public void A_forecast_result_is_its_scores_against_persistence_and_a_chart()
    {
        var forecast = Assert.Single(Outputs(10));
        string html = forecast.Data[MimeTypes.Html];
        Assert.Contains("<td>persistence (last value)</td>", html, StringComparison.Ordinal);
        Assert.Matches(@"<td>model</td><td style=""text-align:right"">\d+\.\d{4}</td>", html);
        Assert.Equal(3, html.Split("<polyline").Length - 1); // model, truth, persistence
        Assert.Contains(">test step</text>", html, StringComparison.Ordinal);
        Assert.StartsWith("test RMSE ", forecast.PlainText, StringComparison.Ordinal);
    }

    private static IReadOnlyList<RichOutput> Outputs(int cell) => OutputsOf(Shown.Value, cell).OfType<RichOutput>().ToList();

    [Fact]
    public void A_markdown_table_is_an_html_table_with_numbers_right_aligned_and_markdown_as_text()
    {
        var table = Assert.Single(Outputs(2));
        Assert.Equal([MimeTypes.Html, MimeTypes.PlainText], table.Data.Keys.Order(StringComparer.Ordinal));
        string html = table.Data[MimeTypes.Html];
        Assert.StartsWith("<table>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>model</th><th style=\"text-align:right\">mse</th></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>lstm|gru</td><td style=\"text-align:right\">0.5000</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<td style=\"text-align:right\">0.2500</td>", html, StringComparison.Ordinal);
        Assert.Matches(@"^\| model +\| +mse \|", table.PlainText);
    }

    [Fact]
    public void A_model_summary_is_a_table_of_layers_with_the_parameter_totals()
    {
        var summary = Assert.Single(Outputs(3));
        string html = summary.Data[MimeTypes.Html];
        Assert.Contains("<strong>Model: StackedLstm</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<th>Layer</th><th>Type</th><th>Output shape</th><th style=\"text-align:right\">Param #</th>", html, StringComparison.Ordinal);
        // LSTM(1 → 8): 4·8·(1 + 8) + 2·4·8 = 352 parameters; Linear(8 → 1): 9.
        Assert.Contains("<td style=\"text-align:right\">352</td>", html, StringComparison.Ordinal);
        Assert.Contains("<li>Total params: 361", html, StringComparison.Ordinal);
        Assert.StartsWith("Model: \"StackedLstm\"", summary.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_in_a_cell_shows_one_display_updated_each_epoch_instead_of_printed_lines()
    {
        var outputs = OutputsOf(Shown.Value, 4);
        var progress = Assert.IsType<RichOutput>(Assert.Single(outputs));
        string html = progress.Data[MimeTypes.Html];
        Assert.Contains("<strong>Epoch 3/3</strong>", html, StringComparison.Ordinal);
        Assert.Contains("ETA 0.0 s", html, StringComparison.Ordinal);
        Assert.Contains("<th style=\"text-align:right\">val_loss</th>", html, StringComparison.Ordinal);
        Assert.Contains("<th style=\"text-align:right\">lr</th>", html, StringComparison.Ordinal);
        Assert.Contains("<polyline", html, StringComparison.Ordinal); // the live loss chart
        Assert.StartsWith("Epoch 3/3 - loss: ", progress.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_history_is_a_loss_chart_and_a_table_with_one_row_per_epoch()
    {
        var history = Assert.Single(Outputs(5));
        Assert.True(history.IsResult);
        string html = history.Data[MimeTypes.Html];
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains(">val_loss</text>", html, StringComparison.Ordinal); // the chart's legend
        Assert.Contains("<th style=\"text-align:right\">epoch</th><th style=\"text-align:right\">loss</th><th style=\"text-align:right\">val_loss</th>", html, StringComparison.Ordinal);
        int rows = html.Split("<tr><td style=\"text-align:right\">").Length - 1;
        Assert.Equal(3, rows);
        Assert.DoesNotContain("dni-treeview", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_image_is_an_image_and_markdown_text_is_markdown()
    {
        var shown = Outputs(6);
        Assert.Equal(2, shown.Count);
        Assert.Equal([MimeTypes.Png, MimeTypes.PlainText], shown[0].Data.Keys.Order(StringComparer.Ordinal));
        int length = int.Parse(System.Text.RegularExpressions.Regex.Match(Outputs(7).Single().Data[MimeTypes.Html], @"<pre>(\d+)</pre>").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        byte[] image = Convert.FromBase64String(shown[0].Data[MimeTypes.Png]);
        Assert.Equal(length, image.Length);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
        Assert.Equal("**bold**", shown[1].Data[MimeTypes.Markdown]);
    }
}
