using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using TorchLstm.Notebooks;

namespace TorchLstm.Reporting;

/// <summary>
/// Keras-style <c>model.summary()</c> for any TorchSharp module: one row per leaf layer in execution
/// order with its output shape and parameter count, then total, trainable and non-trainable parameters.
/// </summary>
/// <remarks>
/// <para>Output shapes come from forward hooks during a no-grad forward pass in eval mode. The pass runs
/// twice, with batch size B and B + 1, and every dimension that changes between the two is the batch
/// dimension, shown as <c>None</c> (or <c>-1</c>), wherever it sits — so sequence-first LSTM outputs are
/// labelled correctly too.</para>
/// <para>Container modules (Sequential, ModuleList, the model itself) are not rows, but parameters a
/// container registers itself get a row of their own after the layers, so the rows always add up to the
/// total. A layer invoked through <c>forward()</c> instead of <c>call()</c>, or a recurrent layer given a
/// <c>PackedSequence</c> (TorchSharp runs no hooks for that overload), has output shape <c>?</c> and is listed
/// right after the layer declared before it. Parameters shared between layers are counted once in the
/// totals. Buffers (running statistics) are not parameters and are not counted.</para>
/// <para>The model's training flags are restored exactly and every tensor of the pass is disposed.</para>
/// </remarks>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Html, NotebookFormatterSource.PlainText])]
public sealed class ModelSummary
{
    private ModelSummary(string modelName, IReadOnlyList<LayerSummary> layers, ParameterTotals totals, BatchDimensionStyle style)
    {
        ModelName = modelName;
        Layers = layers;
        TotalParameters = totals.Total;
        TrainableParameters = totals.Trainable;
        TotalBytes = totals.TotalBytes;
        TrainableBytes = totals.TrainableBytes;
        Style = style;
    }

    /// <summary>The model's .NET type name.</summary>
    public string ModelName { get; }

    /// <summary>Leaf layers in execution order, then layers that did not run, then containers' own parameters.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Number of parameter elements in the model (shared parameters counted once).</summary>
    public long TotalParameters { get; }

    /// <summary>Parameter elements that require gradients.</summary>
    public long TrainableParameters { get; }

    /// <summary>Parameter elements that do not require gradients (frozen).</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    /// <summary>Bytes taken by all parameters.</summary>
    public long TotalBytes { get; }

    /// <summary>Bytes taken by trainable parameters.</summary>
    public long TrainableBytes { get; }

    /// <summary>All parameters in mebibytes (bytes / 1024²), as Keras reports them.</summary>
    public double TotalMegabytes => ToMegabytes(TotalBytes);

    /// <summary>How batch-dependent dimensions are written by <see cref="ToString"/> and <see cref="ToMarkdown"/>.</summary>
    public BatchDimensionStyle Style { get; }

    /// <summary>Summarises a single-input model on a zero-filled example input of the given shape.</summary>
    /// <param name="model">The model; its training flags are left as they were.</param>
    /// <param name="inputShape">Full input shape including the batch dimension, e.g. <c>[32, 50, 1]</c>.</param>
    /// <param name="dtype">Input element type: float32 for features, int64 for token ids (zeros are valid ids).</param>
    /// <param name="batchDimension">Which input dimension is the batch (1 for sequence-first models).</param>
    /// <param name="style">How batch-dependent output dimensions are written.</param>
    /// <exception cref="ArgumentException">The shape is empty or has a dimension below 1, or the model rejects the input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchDimension"/> is not a dimension of the shape.</exception>
    public static ModelSummary Create<TResult>(
        nn.Module<Tensor, TResult> model, long[] inputShape, ScalarType dtype = ScalarType.Float32,
        int batchDimension = 0, BatchDimensionStyle style = BatchDimensionStyle.ShowAsNone)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0)
            throw new ArgumentException("The input shape is empty; give the full shape including the batch dimension, e.g. [32, 50, 1].", nameof(inputShape));
        for (int i = 0; i < inputShape.Length; i++)
            if (inputShape[i] < 1)
                throw new ArgumentException($"Input dimension {i} is {inputShape[i]}; every dimension must be at least 1 (shape [{string.Join(", ", inputShape)}]).", nameof(inputShape));
        CheckBatchDimension(batchDimension, inputShape.Length);

        var device = DeviceOf(model);
        string description = $"of shape [{string.Join(", ", inputShape)}] and dtype {dtype}";
        return Create(model, batch =>
        {
            var shape = (long[])inputShape.Clone();
            shape[batchDimension] = batch;
            var input = torch.zeros(shape, dtype, device);
            ForwardShapeRecorder.RunGuarded(() => model.call(input), description, nameof(inputShape));
        }, inputShape[batchDimension], style);
    }

    /// <summary>Summarises a single-input model on an example input tensor (e.g. a batch of int64 token ids).</summary>
    /// <param name="model">The model; its training flags are left as they were.</param>
    /// <param name="exampleInput">A real input batch; it is not modified or disposed.</param>
    /// <param name="batchDimension">Which input dimension is the batch (1 for sequence-first models).</param>
    /// <param name="style">How batch-dependent output dimensions are written.</param>
    /// <exception cref="ArgumentException">The input is a scalar or empty, or the model rejects it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchDimension"/> is not a dimension of the input.</exception>
    public static ModelSummary Create<TResult>(
        nn.Module<Tensor, TResult> model, Tensor exampleInput,
        int batchDimension = 0, BatchDimensionStyle style = BatchDimensionStyle.ShowAsNone)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleInput);
        if (exampleInput.dim() == 0 || exampleInput.numel() == 0)
            throw new ArgumentException($"The example input has shape [{string.Join(", ", exampleInput.shape)}]; it needs a batch dimension and at least one element.", nameof(exampleInput));
        CheckBatchDimension(batchDimension, (int)exampleInput.dim());

        long batchSize = exampleInput.shape[batchDimension];
        string description = $"of shape [{string.Join(", ", exampleInput.shape)}] and dtype {exampleInput.dtype}";
        return Create(model, batch =>
        {
            // Repeat the first samples to build the larger batch, so the values stay valid inputs (e.g. token ids).
            var input = batch == batchSize
                ? exampleInput
                : exampleInput.index_select(batchDimension, torch.arange(batch, device: exampleInput.device) % batchSize);
            ForwardShapeRecorder.RunGuarded(() => model.call(input), description, nameof(exampleInput));
        }, batchSize, style);
    }

    /// <summary>
    /// Summarises a model with any forward signature (several inputs, a decoder with a state): you run the
    /// forward pass, this records what happened.
    /// </summary>
    /// <param name="model">The model; its training flags are left as they were.</param>
    /// <param name="runForward">
    /// Runs the model on inputs with the given batch size through <c>call(...)</c>; it is called with
    /// <paramref name="batchSize"/> and <paramref name="batchSize"/> + 1, inside a dispose scope and no_grad.
    /// </param>
    /// <param name="batchSize">The batch size shown for <see cref="BatchDimensionStyle.ShowActualSize"/>.</param>
    /// <param name="style">How batch-dependent output dimensions are written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public static ModelSummary Create(nn.Module model, Action<long> runForward, long batchSize, BatchDimensionStyle style = BatchDimensionStyle.ShowAsNone)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(runForward);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The example batch size must be at least 1.");

        var names = new Dictionary<nn.Module, string>(ReferenceEqualityComparer.Instance) { [model] = "" };
        foreach (var (name, module) in model.named_modules())
            names.TryAdd(module, name);
        var modules = ForwardShapeRecorder.AllModules(model).ToList();
        var leaves = modules.Where(m => !m.children().Any()).ToList();

        var first = ForwardShapeRecorder.Record(model, leaves, () => runForward(batchSize));
        var second = ForwardShapeRecorder.Record(model, leaves, () => runForward(batchSize + 1));

        var rows = new List<LayerSummary>();
        foreach (var leaf in RowOrder(first.ExecutionOrder, leaves))
        {
            var (count, trainable) = Count(leaf.parameters());
            var example = first.ShapeOf(leaf);
            rows.Add(new LayerSummary(DisplayName(names[leaf]), TypeName(leaf), MarkBatchDimensions(example, second.ShapeOf(leaf)), example, count, trainable));
        }
        foreach (var container in modules.Where(m => m.children().Any()))
        {
            var own = container.named_parameters(recurse: false).Select(p => p.Item2).ToList();
            if (own.Count == 0) continue;
            var (count, trainable) = Count(own);
            rows.Add(new LayerSummary(DisplayName(names[container]), TypeName(container), null, null, count, trainable, IsOwnParametersOfContainer: true));
        }

        return new ModelSummary(TypeName(model), rows, Totals(model), style);
    }

    /// <summary>
    /// Leaves in execution order, with each leaf that did not run placed right after the leaf declared
    /// before it (or first), so a recurrent layer fed a packed sequence still sits between its neighbours.
    /// </summary>
    private static List<nn.Module> RowOrder(IReadOnlyList<nn.Module> executionOrder, IReadOnlyList<nn.Module> declared)
    {
        var order = executionOrder.ToList();
        var placed = order.ToHashSet(ReferenceEqualityComparer.Instance);
        for (int d = 0; d < declared.Count; d++)
        {
            if (placed.Contains(declared[d])) continue;
            int at = 0;
            for (int before = d - 1; before >= 0; before--)
            {
                int index = order.FindIndex(m => ReferenceEquals(m, declared[before]));
                if (index >= 0) { at = index + 1; break; }
            }
            order.Insert(at, declared[d]);
            placed.Add(declared[d]);
        }
        return order;
    }

    /// <summary>Aligned plain-text table in the layout of Keras's <c>model.summary()</c>.</summary>
    public override string ToString()
    {
        var cells = Layers.Select(l => (Layer: $"{l.Name} ({l.Type})", Shape: l.FormatOutputShape(Style), Params: FormatCount(l.Parameters))).ToList();
        int layerWidth = Math.Max("Layer (type)".Length, cells.Select(c => c.Layer.Length).DefaultIfEmpty(0).Max());
        int shapeWidth = Math.Max("Output Shape".Length, cells.Select(c => c.Shape.Length).DefaultIfEmpty(0).Max());
        int paramWidth = Math.Max("Param #".Length, cells.Select(c => c.Params.Length).DefaultIfEmpty(0).Max());
        int width = layerWidth + shapeWidth + paramWidth + 6;

        var text = new StringBuilder();
        text.Append("Model: \"").Append(ModelName).Append("\"\n");
        text.Append('_', width).Append('\n');
        text.Append(Row("Layer (type)", "Output Shape", "Param #"));
        text.Append('=', width).Append('\n');
        foreach (var (layer, shape, parameters) in cells)
            text.Append(Row(layer, shape, parameters));
        text.Append('=', width).Append('\n');
        foreach (var line in TotalsLines()) text.Append(line).Append('\n');
        text.Append('_', width).Append('\n');
        if (Layers.Any(l => !l.IsOwnParametersOfContainer && l.OutputShape is null))
            text.Append("? = no output shape recorded: the layer did not run through call() during the example pass (a recurrent layer fed a PackedSequence, say) or returned no tensor.\n");
        return text.ToString();

        string Row(string layer, string shape, string parameters) =>
            $"{layer.PadRight(layerWidth)}   {shape.PadRight(shapeWidth)}   {parameters.PadLeft(paramWidth)}\n";
    }

    /// <summary>The summary as a markdown table followed by the parameter totals, for README files and reports.</summary>
    public string ToMarkdown()
    {
        var table = new MarkdownTable(["Layer", "Type", "Output shape", "Param #"]);
        foreach (var layer in Layers)
            table.AddRow(layer.Name, layer.Type, layer.FormatOutputShape(Style), layer.Parameters);
        var text = new StringBuilder();
        text.Append("**Model: ").Append(ModelName).Append("**\n\n").Append(table).Append('\n');
        foreach (var line in TotalsLines()) text.Append("- ").Append(line).Append('\n');
        return text.ToString();
    }

    internal IEnumerable<string> TotalsLines()
    {
        yield return $"Total params: {FormatCount(TotalParameters)} ({FormatMegabytes(TotalBytes)})";
        yield return $"Trainable params: {FormatCount(TrainableParameters)} ({FormatMegabytes(TrainableBytes)})";
        yield return $"Non-trainable params: {FormatCount(NonTrainableParameters)} ({FormatMegabytes(TotalBytes - TrainableBytes)})";
    }

    private static string FormatCount(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static string FormatMegabytes(long bytes) => ToMegabytes(bytes).ToString("0.0000", CultureInfo.InvariantCulture) + " MB";

    private static double ToMegabytes(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>Output shape with -1 where it differs between the runs with batch B and B + 1.</summary>
    private static long[]? MarkBatchDimensions(long[]? first, long[]? second)
    {
        if (first is null) return null;
        var marked = (long[])first.Clone();
        if (second is not null && second.Length == first.Length)
            for (int i = 0; i < marked.Length; i++)
                if (first[i] != second[i]) marked[i] = -1;
        return marked;
    }

    private static (long Count, long Trainable) Count(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        long count = 0, trainable = 0;
        foreach (var p in parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<TorchSharp.Modules.Parameter>())
        {
            count += p.numel();
            if (p.requires_grad) trainable += p.numel();
        }
        return (count, trainable);
    }

    private readonly record struct ParameterTotals(long Total, long Trainable, long TotalBytes, long TrainableBytes);

    private static ParameterTotals Totals(nn.Module model)
    {
        long total = 0, trainable = 0, totalBytes = 0, trainableBytes = 0;
        foreach (var p in model.parameters().Distinct(ReferenceEqualityComparer.Instance).Cast<TorchSharp.Modules.Parameter>())
        {
            long bytes = p.numel() * p.ElementSize;
            total += p.numel();
            totalBytes += bytes;
            if (!p.requires_grad) continue;
            trainable += p.numel();
            trainableBytes += bytes;
        }
        return new ParameterTotals(total, trainable, totalBytes, trainableBytes);
    }

    private static string DisplayName(string path) => path.Length == 0 ? "(model)" : path;

    private static string TypeName(nn.Module module)
    {
        string name = module.GetType().Name;
        int tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    private static Device DeviceOf(nn.Module model) =>
        model.parameters().FirstOrDefault()?.device ?? torch.CPU;

    private static void CheckBatchDimension(int batchDimension, int rank)
    {
        if (batchDimension < 0 || batchDimension >= rank)
            throw new ArgumentOutOfRangeException(nameof(batchDimension), batchDimension, $"The batch dimension must be between 0 and {rank - 1} for an input of rank {rank}.");
    }
}
