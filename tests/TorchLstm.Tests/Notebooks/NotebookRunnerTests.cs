using System.Text.Json.Nodes;
using TorchLstm.NotebookRunner;
using TorchLstm.Notebooks;
using TorchLstm.Reporting;
using static TorchLstm.Tests.Notebooks.NotebookFixture;

namespace TorchLstm.Tests.Notebooks;

public class NotebookRunnerTests
{
    [Fact]
    public void Variables_carry_across_cells_and_console_display_and_result_are_captured_in_order()
    {
        var result = Run(
            Markdown("# A title"),
            Code("var answer = 40;"),
            Code("Console.WriteLine(\"hello\");\ndisplay(\"shown\");\nConsole.Write(\"a\");\nConsole.Write(\"b\");"),
            Code("answer + 2"));

        Assert.Equal([2, 3, 4], result.Cells.Select(c => c.Cell.Number));
        Assert.Equal([1, 2, 3], result.Cells.Select(c => c.ExecutionCount));
        Assert.Empty(OutputsOf(result, 2));
        var outputs = OutputsOf(result, 3);
        Assert.Equal(3, outputs.Count);
        Assert.Equal(new StreamOutput("stdout", "hello" + Environment.NewLine), outputs[0]);
        var shown = Assert.IsType<RichOutput>(outputs[1]);
        Assert.False(shown.IsResult);
        Assert.Equal("shown", shown.PlainText);
        Assert.Equal(new StreamOutput("stdout", "ab"), outputs[2]);
        var last = Assert.IsType<RichOutput>(Assert.Single(OutputsOf(result, 4)));
        Assert.True(last.IsResult);
        Assert.Equal("42", last.PlainText);
    }

    [Fact]
    public void A_cell_ending_in_a_statement_has_no_result()
    {
        var result = Run(Code("var x = 1;\nx++;"));
        Assert.Empty(result.Cells.Single().Outputs);
    }

    [Fact]
    public void Png_images_are_captured_as_base64_from_a_file_and_from_bytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"runner-test-{Guid.NewGuid():N}.png");
        try
        {
            Plots.Lines(path, [0, 1, 2], [new NamedSeries("y", [1, 4, 9])], new PlotOptions { Width = 120, Height = 90 });
            byte[] expected = File.ReadAllBytes(path);
            var result = Run(
                Code("#r \"nuget: TorchLstm, 0.1.0\"\nusing TorchLstm.Notebooks;\n" +
                     $"display(PngImage.FromFile(@\"{path}\"));\n" +
                     $"display(PngImage.FromBytes(System.IO.File.ReadAllBytes(@\"{path}\")));"));

            var images = result.Cells.Single().Outputs.Cast<RichOutput>().ToList();
            Assert.Equal(2, images.Count);
            foreach (var image in images)
            {
                Assert.Equal(expected, Convert.FromBase64String(image.Data[MimeTypes.Png]));
                Assert.StartsWith("PNG image", image.PlainText, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tables_and_data_frames_are_shown_as_markdown()
    {
        var result = Run(Code(
            "#r \"nuget: TorchLstm, 0.1.0\"\nusing Microsoft.Data.Analysis;\nusing TorchLstm.Reporting;\nusing TorchLstm.Notebooks;\n" +
            "display(new MarkdownTable([\"model\", \"mse\"]).AddRow(\"lstm\", 0.5));\n" +
            "display(new DataFrame(new PrimitiveDataFrameColumn<int>(\"epoch\", [1, 2]), new PrimitiveDataFrameColumn<double>(\"loss\", [0.25, 0.125])));\n" +
            "display(new MarkdownText(\"**bold**\"));\n" +
            "display(\"*rendered*\", \"text/markdown\");"));

        var shown = result.Cells.Single().Outputs.Cast<RichOutput>().Select(o => o.Data[MimeTypes.Markdown].Split('\n')).ToList();
        Assert.Equal(4, shown.Count);
        Assert.Matches(@"^\| model +\| +mse \|$", shown[0][0]);
        Assert.Matches(@"^\| lstm +\| 0\.5000 \|$", shown[0][2]);
        Assert.Matches(@"^\| epoch \| +loss \|$", shown[1][0]);
        Assert.Matches(@"^\| +2 \| 0\.1250 \|$", shown[1][3]);
        Assert.Equal("**bold**", shown[2][0]);
        Assert.Equal("*rendered*", shown[3][0]);
    }

    [Fact]
    public void Magic_lines_are_interpreted_like_dotnet_interactive()
    {
        var result = Run(
            Code("#!csharp\n#r \"nuget: TorchLstm, 0.1.0\"\n#i \"nuget: /some/local/feed\"\nusing TorchSharp;\nTorchLstm.Native.NativeLoader.EnsureLoaded();"),
            Code("#!time\ntorch.ones(3).sum().item<float>()"),
            Code("#!markdown\nThis cell is prose written in a code cell."),
            Code("This cell is markdown by its metadata.", language: "markdown"),
            Code("#r \"nuget: Microsoft.Data.Analysis\"\nnew Microsoft.Data.Analysis.DataFrame().Rows.Count"));

        Assert.Equal([1, 2, 5], result.Cells.Select(c => c.Cell.Number));
        Assert.Equal("3", Assert.IsType<RichOutput>(Assert.Single(OutputsOf(result, 2))).PlainText);
        Assert.Equal("0", Assert.IsType<RichOutput>(Assert.Single(OutputsOf(result, 5))).PlainText);
    }

    [Fact]
    public void A_cell_that_does_not_compile_reports_notebook_cell_and_line()
    {
        var error = Assert.Throws<NotebookExecutionException>(() => Run(
            Markdown("intro"),
            Code("var ok = 1;"),
            Code("var fine = ok;\nint broken = \"text\";")));

        Assert.Equal("demo.ipynb", error.NotebookName);
        Assert.Equal(3, error.CellNumber);
        Assert.Equal(2, error.Line);
        Assert.StartsWith("demo.ipynb, cell 3 does not compile (line 2):", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2, column 14: CS0029", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cell_that_throws_reports_notebook_cell_line_and_the_exception()
    {
        var error = Assert.Throws<NotebookExecutionException>(() => Run(
            Code("int Twice(int x) => 2 * x;"),
            Code("Console.WriteLine(\"before\");\nvar y = Twice(2);\nthrow new InvalidOperationException($\"boom {y}\");\n")));

        Assert.Equal(2, error.CellNumber);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("demo.ipynb, cell 2, line 3 threw InvalidOperationException: boom 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("Output before the failure:\nbefore", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public void Unknown_packages_wrong_versions_and_other_kernels_are_rejected_with_the_cell()
    {
        var unknown = Assert.Throws<NotebookExecutionException>(() => Run(Code("// setup\n#r \"nuget: Newtonsoft.Json, 13.0.3\"")));
        Assert.StartsWith("demo.ipynb, cell 1, line 2: package 'Newtonsoft.Json' is not available", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp", unknown.Message, StringComparison.Ordinal);

        var version = Assert.Throws<NotebookExecutionException>(() => Run(Code("#r \"nuget: TorchLstm, 9.9.9\"")));
        Assert.Contains("asks for TorchLstm 9.9.9, but the library built here is 0.1.0", version.Message, StringComparison.Ordinal);

        var kernel = Assert.Throws<NotebookExecutionException>(() => Run(Code("1"), Code("Get-Date", language: "pwsh")));
        Assert.Equal(2, kernel.CellNumber);
        Assert.Contains("language 'pwsh' cannot be run", kernel.Message, StringComparison.Ordinal);

        var malformed = Assert.Throws<NotebookExecutionException>(() => Run(Code("#r \"nuget:\"")));
        Assert.Contains("is not a package reference", malformed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variables_are_set_for_the_run_and_restored_after()
    {
        const string name = "TORCHLSTM_RUNNER_TEST_VARIABLE";
        Environment.SetEnvironmentVariable(name, "before");
        try
        {
            var notebook = Document(Code($"Environment.GetEnvironmentVariable(\"{name}\")"));
            var result = NotebookExecutor.Run(notebook, new NotebookRunOptions { Environment = new Dictionary<string, string?> { [name] = "during" } });
            Assert.Equal("during", ((RichOutput)result.Cells.Single().Outputs.Single()).PlainText);
            Assert.Equal("before", Environment.GetEnvironmentVariable(name));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Outputs_are_written_back_in_nbformat_and_the_rest_of_the_file_is_kept()
    {
        var notebook = Document(Markdown("# t"), Code("Console.WriteLine(\"x\");\ndisplay(\"y\");"), Code("6 * 7"));
        var result = NotebookExecutor.Run(notebook);

        var written = JsonNode.Parse(notebook.ToJson(result))!;
        Assert.Equal("kept as is", written["metadata"]!["custom"]!.GetValue<string>());
        Assert.Equal(".net-csharp", written["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        var cells = written["cells"]!.AsArray();
        Assert.Null(cells[0]!["outputs"]);
        var second = cells[1]!["outputs"]!.AsArray();
        Assert.Equal("stream", second[0]!["output_type"]!.GetValue<string>());
        Assert.Equal("x" + Environment.NewLine, string.Concat(second[0]!["text"]!.AsArray().Select(l => l!.GetValue<string>())));
        Assert.Equal("display_data", second[1]!["output_type"]!.GetValue<string>());
        var third = cells[2]!;
        Assert.Equal(2, third["execution_count"]!.GetValue<int>());
        Assert.Equal("execute_result", third["outputs"]![0]!["output_type"]!.GetValue<string>());
        Assert.Equal("42", third["outputs"]![0]!["data"]!["text/plain"]![0]!.GetValue<string>());

        var reread = NotebookDocument.Parse(notebook.ToJson(result), "again.ipynb");
        Assert.Equal(notebook.Cells, reread.Cells);
    }

    [Fact]
    public void Malformed_notebooks_are_rejected_with_the_reason()
    {
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => NotebookDocument.Parse("{", "x.ipynb")).Message, StringComparison.Ordinal);
        Assert.Contains("not an nbformat 4 notebook", Assert.Throws<InvalidDataException>(() => NotebookDocument.Parse("{\"nbformat\": 3, \"cells\": []}", "x.ipynb")).Message, StringComparison.Ordinal);
        Assert.Contains("cell 1 has cell_type 'heading'", Assert.Throws<InvalidDataException>(() =>
            NotebookDocument.Parse("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"heading\"}]}", "x.ipynb")).Message, StringComparison.Ordinal);
    }
}
