using TorchLstm.Data;
using TorchLstm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Training;

/// <summary>A linear head on the last time step: (B, T, F) → (B, outputs).</summary>
internal sealed class LastStepLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear head;

    public LastStepLinear(long features, long outputs = 1) : base(nameof(LastStepLinear))
    {
        head = nn.Linear(features, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var last = input.select(1, -1);
        return head.forward(last);
    }
}

/// <summary>Dropout on the last step then a linear head; records, per forward, the mode and the share of dropped inputs.</summary>
internal sealed class DropoutProbe : nn.Module<Tensor, Tensor>
{
    private readonly Dropout dropout;
    private readonly Linear head;

    public DropoutProbe(long features, double p) : base(nameof(DropoutProbe))
    {
        dropout = nn.Dropout(p);
        head = nn.Linear(features, 1);
        RegisterComponents();
    }

    public List<(bool Training, double DroppedShare)> Calls { get; } = [];

    public Linear Head => head;

    public override Tensor forward(Tensor input)
    {
        using var last = input.select(1, -1);
        var dropped = dropout.forward(last);
        using (var zeros = dropped.eq(0).to(ScalarType.Float64).mean())
            Calls.Add((training, zeros.item<double>()));
        return head.forward(dropped);
    }
}

/// <summary>A last-step linear model whose n-th training forward returns NaN (so its gradients poison the weights).</summary>
internal sealed class NaNOnCall : nn.Module<Tensor, Tensor>
{
    private readonly LastStepLinear inner;
    private readonly int poisonedCall;
    private int trainingCalls;

    public NaNOnCall(long features, int poisonedCall) : base(nameof(NaNOnCall))
    {
        inner = new LastStepLinear(features);
        this.poisonedCall = poisonedCall;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var output = inner.forward(input);
        if (training && ++trainingCalls == poisonedCall)
            return output * double.NaN;
        return output;
    }
}

/// <summary>Overwrites one logged value with a scripted sequence and snapshots the weights after each epoch.</summary>
internal sealed class ScriptedLogs(string key, double[] values) : Callback, IDisposable
{
    public List<WeightSnapshot> Weights { get; } = [];

    public override void OnEpochEnd(TrainingContext context)
    {
        context.Logs[key] = values[context.Epoch - 1];
        Weights.Add(WeightSnapshot.Capture(context.Model));
    }

    public void Dispose()
    {
        foreach (var w in Weights) w.Dispose();
    }
}

/// <summary>Runs an action in a chosen hook.</summary>
internal sealed class Probe : Callback
{
    public Action<TrainingContext>? EpochBegin { get; init; }
    public Action<TrainingContext>? BatchEnd { get; init; }
    public Action<TrainingContext>? EpochEnd { get; init; }

    public override void OnEpochBegin(TrainingContext context) => EpochBegin?.Invoke(context);
    public override void OnBatchEnd(TrainingContext context) => BatchEnd?.Invoke(context);
    public override void OnEpochEnd(TrainingContext context) => EpochEnd?.Invoke(context);
}

internal static class ToyData
{
    /// <summary>Targets are a fixed linear function of the last time step plus a bias, scaled by <paramref name="scale"/>.</summary>
    public static SequenceDataset Linear(int samples, long seed, int steps = 4, int features = 3, double scale = 1.0)
    {
        using var generator = new Generator((ulong)seed);
        var inputs = randn([samples, steps, features], generator: generator);
        using var weights = tensor(new float[] { 0.5f, -1.5f, 2.0f, 0.25f, -0.75f }[..features]).reshape(features, 1);
        using var last = inputs.select(1, -1);
        var targets = ((last.matmul(weights) + 0.3) * scale).DetachFromDisposeScope();
        return new SequenceDataset(inputs, targets);
    }

    public static bool SameWeights(nn.Module a, nn.Module b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        return sa.Count == sb.Count && sa.All(kv => sb.TryGetValue(kv.Key, out var other) && kv.Value.Equals(other));
    }

    public static bool SameWeights(WeightSnapshot snapshot, nn.Module module)
    {
        var sd = module.state_dict();
        return snapshot.Tensors.Count == sd.Count && sd.All(kv => snapshot.Tensors[kv.Key].Equals(kv.Value));
    }

    public static TrainingOptions Quiet(int epochs) => new()
    {
        Epochs = epochs,
        Progress = ProgressMode.None,
        LearningRate = 0.05,
        Seed = 7,
    };
}
