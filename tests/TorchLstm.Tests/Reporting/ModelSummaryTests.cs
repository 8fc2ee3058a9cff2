using TorchLstm.Reporting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Reporting;

public class ModelSummaryTests
{
    /// <summary>LSTM(2→5, batch first) whose last step feeds Linear(5→1), as in the sine-wave tutorial.</summary>
    private sealed class LstmRegressor : nn.Module<Tensor, Tensor>
    {
        private readonly LSTM lstm;
        private readonly Linear head;

        public LstmRegressor() : base(nameof(LstmRegressor))
        {
            lstm = nn.LSTM(2, 5, batchFirst: true);
            head = nn.Linear(5, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var (output, _, _) = lstm.call(input);
            return head.call(output[.., -1, ..]);
        }
    }

    /// <summary>A container that registers a parameter itself and calls its child through forward(), bypassing hooks.</summary>
    private sealed class ScaledLinear : nn.Module<Tensor, Tensor>
    {
        private readonly Linear inner;
        private readonly Parameter scale;

        public ScaledLinear() : base(nameof(ScaledLinear))
        {
            inner = nn.Linear(3, 2);
            scale = new Parameter(torch.ones(2));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => inner.forward(input) * scale;
    }

    private static long SumOfNumel(nn.Module model) => model.parameters().Sum(p => p.numel());

    [Fact]
    public void Sequential_lists_each_leaf_with_keras_shapes_and_parameter_counts()
    {
        torch.manual_seed(1);
        using var model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));

        var summary = ModelSummary.Create(model, [8, 3]);

        Assert.Equal(["0", "1", "2"], summary.Layers.Select(l => l.Name));
        Assert.Equal(["Linear", "ReLU", "Linear"], summary.Layers.Select(l => l.Type));
        Assert.Equal(["(None, 4)", "(None, 4)", "(None, 2)"], summary.Layers.Select(l => l.FormatOutputShape(BatchDimensionStyle.ShowAsNone)));
        Assert.Equal(new long[] { 16, 0, 10 }, summary.Layers.Select(l => l.Parameters));
        Assert.Equal(26, summary.TotalParameters);
        Assert.Equal(SumOfNumel(model), summary.TotalParameters);
        Assert.Equal(26, summary.TrainableParameters);
        Assert.Equal(0, summary.NonTrainableParameters);
        Assert.Equal(26 * 4, summary.TotalBytes);
        Assert.Equal(new long[] { 8, 4 }, summary.Layers[0].ExampleOutputShape);
    }

    [Fact]
    public void Lstm_model_shows_the_first_tuple_output_and_counts_all_gate_weights()
    {
        torch.manual_seed(2);
        using var model = new LstmRegressor();

        var summary = ModelSummary.Create(model, [3, 7, 2]);

        Assert.Equal("LstmRegressor", summary.ModelName);
        Assert.Equal(["lstm", "head"], summary.Layers.Select(l => l.Name));
        Assert.Equal(["LSTM", "Linear"], summary.Layers.Select(l => l.Type));
        Assert.Equal(["(None, 7, 5)", "(None, 1)"], summary.Layers.Select(l => l.FormatOutputShape(BatchDimensionStyle.ShowAsNone)));
        // LSTM: 4 gates × hidden 5 × (input 2 + hidden 5) weights + two bias vectors of 4 × 5; Linear: 5 + 1.
        Assert.Equal(new long[] { 4 * 5 * (2 + 5) + 2 * 4 * 5, 6 }, summary.Layers.Select(l => l.Parameters));
        Assert.Equal(186, summary.TotalParameters);
        Assert.Equal(SumOfNumel(model), summary.TotalParameters);
    }

    [Fact]
    public void Training_mode_of_every_module_is_left_as_it_was()
    {
        using var model = new LstmRegressor();
        model.train();
        ModelSummary.Create(model, [2, 4, 2]);
        Assert.True(model.training);
        Assert.All(model.modules(), m => Assert.True(m.training));

        model.eval();
        ModelSummary.Create(model, [2, 4, 2]);
        Assert.False(model.training);
        Assert.All(model.modules(), m => Assert.False(m.training));

        // A mixed state survives too: the head alone in training mode.
        model.named_modules().Single(n => n.name == "head").module.train();
        ModelSummary.Create(model, [2, 4, 2]);
        Assert.Equal([false, false, true], new[] { model.training }.Concat(model.modules().Select(m => m.training)));
    }

    [Fact]
    public void No_tensor_outlives_the_summary()
    {
        using var model = new LstmRegressor();
        using var tokens = torch.zeros(2, 4, 2);
        ModelSummary.Create(model, [2, 4, 2]); // warm-up: lazily created native state is not a leak
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        ModelSummary.Create(model, [2, 4, 2]);
        ModelSummary.Create(model, tokens);

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Token_id_input_tensor_drives_an_embedding_model()
    {
        torch.manual_seed(3);
        using var model = nn.Sequential(("embedding", nn.Embedding(10, 4)), ("flatten", nn.Flatten()), ("out", nn.Linear(24, 3)));
        using var ids = torch.randint(0, 10, [5, 6], dtype: ScalarType.Int64);

        var summary = ModelSummary.Create(model, ids);

        Assert.Equal(["embedding", "flatten", "out"], summary.Layers.Select(l => l.Name));
        Assert.Equal(["(None, 6, 4)", "(None, 24)", "(None, 3)"], summary.Layers.Select(l => l.FormatOutputShape(BatchDimensionStyle.ShowAsNone)));
        Assert.Equal(["(5, 6, 4)", "(5, 24)", "(5, 3)"], summary.Layers.Select(l => l.FormatOutputShape(BatchDimensionStyle.ShowActualSize)));
        Assert.Equal(40 + 24 * 3 + 3, summary.TotalParameters);
        Assert.Equal(new long[] { 5, 6 }, ids.shape); // the example input is untouched
    }

    [Fact]
    public void Sequence_first_lstm_marks_the_batch_in_the_middle()
    {
        using var lstm = nn.LSTM(2, 5);

        var summary = ModelSummary.Create(lstm, batch => lstm.call(torch.zeros(7, batch, 2)), batchSize: 3, BatchDimensionStyle.ShowAsMinusOne);

        var row = Assert.Single(summary.Layers);
        Assert.Equal("(model)", row.Name);
        Assert.Equal("(7, -1, 5)", row.FormatOutputShape(BatchDimensionStyle.ShowAsMinusOne));
        Assert.Equal(new long[] { 7, -1, 5 }, row.OutputShape);
    }

    [Fact]
    public void Frozen_parameters_are_non_trainable()
    {
        using var model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2));
        foreach (var p in model.named_parameters().Where(n => n.name.StartsWith("0.")).Select(n => n.parameter))
            p.requires_grad = false;

        var summary = ModelSummary.Create(model, [1, 3]);

        Assert.Equal(26, summary.TotalParameters);
        Assert.Equal(10, summary.TrainableParameters);
        Assert.Equal(16, summary.NonTrainableParameters);
        Assert.Equal(16, summary.Layers[0].Parameters - summary.Layers[0].TrainableParameters);
    }

    [Fact]
    public void Container_parameters_get_their_own_row_and_unhooked_layers_show_a_question_mark()
    {
        using var model = new ScaledLinear();

        var summary = ModelSummary.Create(model, [4, 3]);

        Assert.Equal(2, summary.Layers.Count);
        Assert.Equal(("inner", "?", 8L), (summary.Layers[0].Name, summary.Layers[0].FormatOutputShape(BatchDimensionStyle.ShowAsNone), summary.Layers[0].Parameters));
        Assert.True(summary.Layers[1].IsOwnParametersOfContainer);
        Assert.Equal(("(model)", "ScaledLinear", "-", 2L), (summary.Layers[1].Name, summary.Layers[1].Type, summary.Layers[1].FormatOutputShape(BatchDimensionStyle.ShowAsNone), summary.Layers[1].Parameters));
        Assert.Equal(10, summary.TotalParameters);
        Assert.Equal(SumOfNumel(model), summary.Layers.Sum(l => l.Parameters));
        Assert.Contains("? = no output shape recorded: the layer did not run through call()", summary.ToString());
    }

    [Fact]
    public void A_recurrent_layer_fed_a_packed_sequence_is_listed_where_it_is_declared()
    {
        torch.manual_seed(3);
        using var model = new TorchLstm.Models.SequenceClassifier(vocabSize: 20, embeddingDim: 4, hiddenSize: 6, numClasses: 3);
        using var tokens = torch.tensor(new long[,] { { 3, 4, 5, 0 }, { 7, 8, 0, 0 } });

        var summary = ModelSummary.Create(model, tokens);

        Assert.Equal(["embedding", "rnn", "dropout", "head"], summary.Layers.Select(l => l.Name));
        Assert.Equal(["(None, 4, 4)", "?", "(None, 6)", "(None, 3)"], summary.Layers.Select(l => l.FormatOutputShape(BatchDimensionStyle.ShowAsNone)));
        Assert.Equal(SumOfNumel(model), summary.TotalParameters);
    }

    [Fact]
    public void Text_rendering_is_an_aligned_keras_table()
    {
        torch.manual_seed(4);
        using var model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));

        string text = ModelSummary.Create(model, [8, 3]).ToString();
        string[] lines = text.TrimEnd('\n').Split('\n');

        Assert.Equal("Model: \"Sequential\"", lines[0]);
        Assert.StartsWith("Layer (type)", lines[2]);
        Assert.Matches(@"^0 \(Linear\)\s+\(None, 4\)\s+16$", lines[4]);
        Assert.Matches(@"^2 \(Linear\)\s+\(None, 2\)\s+10$", lines[6]);
        // The parameter column is right-aligned: every table row ends at the same column.
        Assert.Single(lines.Skip(2).Take(5).Where(l => !l.StartsWith('=')).Select(l => l.Length).Distinct());
        Assert.Contains("Total params: 26 (0.0001 MB)", text);
        Assert.Contains("Trainable params: 26 (0.0001 MB)", text);
        Assert.Contains("Non-trainable params: 0 (0.0000 MB)", text);
    }

    [Fact]
    public void Markdown_rendering_is_a_table_with_totals()
    {
        using var model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));

        string markdown = ModelSummary.Create(model, [8, 3], style: BatchDimensionStyle.ShowAsMinusOne).ToMarkdown();

        Assert.Contains("| Layer | Type   | Output shape | Param # |", markdown);
        Assert.Contains("| 0     | Linear | (-1, 4)      |      16 |", markdown);
        Assert.Contains("- Total params: 26 (0.0001 MB)", markdown);
    }

    [Fact]
    public void A_shape_the_model_rejects_is_an_argument_exception_naming_the_shape()
    {
        using var model = nn.Sequential(nn.Linear(3, 4));
        model.train();

        var error = Assert.Throws<ArgumentException>(() => ModelSummary.Create(model, [8, 5]));

        Assert.Equal("inputShape", error.ParamName);
        Assert.Contains("[8, 5]", error.Message);
        Assert.True(model.training);
    }

    [Theory]
    [InlineData(new long[0], "empty")]
    [InlineData(new long[] { 8, 0 }, "dimension 1 is 0")]
    public void Nonsense_input_shapes_are_rejected_before_torch_runs(long[] shape, string expected)
    {
        using var model = nn.Sequential(nn.Linear(3, 4));
        var error = Assert.Throws<ArgumentException>(() => ModelSummary.Create(model, shape));
        Assert.Equal("inputShape", error.ParamName);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_batch_dimension_outside_the_input_is_out_of_range()
    {
        using var model = nn.Sequential(nn.Linear(3, 4));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ModelSummary.Create(model, [8, 3], batchDimension: 2));
        Assert.Equal("batchDimension", error.ParamName);
    }
}
