using System.Text.Json.Nodes;
using TorchLstm.NotebookRunner;
using static TorchLstm.Tests.Notebooks.NotebookFixture;

namespace TorchLstm.Tests.Notebooks;

/// <summary>What the runner keeps from the real .NET Interactive kernel, and how it reports a failing cell.</summary>
[Trait("Category", "Notebooks")]
[Collection(KernelCollection.Name)]
public class NotebookRunnerTests
{
    [Fact]
    public void Variables_carry_across_cells_and_console_display_and_result_are_kept_in_order()
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
        Assert.Contains("<pre>42</pre>", last.Data[MimeTypes.Html], StringComparison.Ordinal); // the kernel shows numbers as HTML
    }

    [Fact]
    public void A_display_updated_in_place_is_stored_once_in_its_last_state()
    {
        var result = Run(Code(
            "using Microsoft.DotNet.Interactive;\n" +
            "var shown = KernelInvocationContextExtensions.Display(KernelInvocationContext.Current, \"epoch 1\");\n" +
            "for (int i = 2; i <= 50; i++) shown.Update($\"epoch {i}\");\n" +
            "display(\"after\");"));

        var outputs = result.Cells.Single().Outputs.Cast<RichOutput>().ToList();
        Assert.Equal(["epoch 50", "after"], outputs.Select(o => o.PlainText));
    }

    [Fact]
    public void Updates_through_the_kernel_helpers_display_are_lost_as_in_every_front_end()
    {
        // .NET Interactive's final release: Kernel.display returns an object other than the one it showed.
        var result = Run(Code("var shown = display(\"epoch 1\");\nshown.Update(\"epoch 2\");"));

        Assert.Equal("epoch 1", Assert.IsType<RichOutput>(Assert.Single(result.Cells.Single().Outputs)).PlainText);
    }

    [Fact]
    public void A_cell_that_does_not_compile_reports_notebook_cell_and_line()
    {
        var error = Assert.Throws<NotebookExecutionException>(() => Run(
            Markdown("intro"),
            Code("var ok = 1;"),
            Code("#!csharp\nvar fine = ok;\nint broken = \"text\";")));

        Assert.Equal("demo.ipynb", error.NotebookName);
        Assert.Equal(3, error.CellNumber);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("demo.ipynb, cell 3 does not compile (line 3):", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, column 14: CS0029", error.Message, StringComparison.Ordinal);
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
    public void Line_numbers_count_the_cells_own_lines_including_directives()
    {
        var error = Assert.Throws<NotebookExecutionException>(() => Run(
            Code(UseLibrary + "\nvar table = new MarkdownTable([\"a\"]);\ntable.AddRow(1, 2);")));

        Assert.Equal(1, error.CellNumber);
        Assert.Equal(7, error.Line);
        Assert.Contains("threw ArgumentException: Row 1 has 2 cell(s) but the table has 1 column(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_kernel_rejects_fails_the_cell()
    {
        // The project's former imitation of the kernel accepted all three.
        var markdown = Assert.Throws<NotebookExecutionException>(() => Run(Code("1"), Code("display(\"*x*\", \"text/markdown\");")));
        Assert.Equal(2, markdown.CellNumber);
        Assert.Contains("No formatter is registered for MIME type text/markdown", markdown.Message, StringComparison.Ordinal);

        var language = Assert.Throws<NotebookExecutionException>(() => Run(Code("1"), Code("Get-Date", language: "pwsh")));
        Assert.Equal(2, language.CellNumber);
        Assert.Contains("pwsh", language.Message, StringComparison.Ordinal);

        var usingVar = Assert.Throws<NotebookExecutionException>(() => Run(Code("using var stream = new System.IO.MemoryStream();")));
        Assert.Contains("does not compile", usingVar.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variables_are_set_for_the_run_and_restored_after()
    {
        const string name = "TORCHLSTM_RUNNER_TEST_VARIABLE";
        Environment.SetEnvironmentVariable(name, "before");
        try
        {
            var notebook = Document(Code($"Environment.GetEnvironmentVariable(\"{name}\")"));
            var result = NotebookExecutor.Run(notebook, KernelSetup.Options() with { Environment = new Dictionary<string, string?> { [name] = "during" } });
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
        var result = NotebookExecutor.Run(notebook, KernelSetup.Options());

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
        Assert.Contains("<pre>42</pre>", third["outputs"]![0]!["data"]!["text/html"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var reread = NotebookDocument.Parse(notebook.ToJson(result), "again.ipynb");
        Assert.Equal(notebook.Cells, reread.Cells);
    }

    [Fact]
    public void A_broken_cell_in_a_copy_of_a_real_notebook_fails_it_naming_the_cell()
    {
        var original = NotebookDocument.Load(Path.Combine(KernelSetup.NotebookFolder, "02-sine-forecast.ipynb"));
        var json = JsonNode.Parse(original.ToJson())!;
        var model = json["cells"]!.AsArray()[5]!; // cell 6 builds the model
        model["source"]!.AsArray().Add(JsonValue.Create("\nthrow new InvalidOperationException(\"deliberately broken\");"));
        string copy = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(copy, json.ToJsonString());
        try
        {
            var error = Assert.Throws<NotebookExecutionException>(() => NotebookExecutor.Run(NotebookDocument.Load(copy), KernelSetup.Options(quick: true)));
            Assert.Equal(6, error.CellNumber);
            int lines = original.Cells[5].Source.Split('\n').Length;
            Assert.Equal(lines + 1, error.Line);
            Assert.Contains("threw InvalidOperationException: deliberately broken", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(copy);
        }
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
