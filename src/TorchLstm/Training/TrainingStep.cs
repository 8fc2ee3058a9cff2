using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// How a model meets a batch: what it predicts from the batch and which tensor of the batch the
/// prediction is scored against. The runner does the rest — batching, shuffling, moving to the device,
/// the loss, the backward pass, the optimiser, metrics, callbacks, checkpoints — the same way for every
/// model (the split of Lightning's <c>training_step</c> and Keras's <c>train_step</c>).
/// </summary>
/// <remarks>
/// The plain case, an <c>nn.Module&lt;Tensor, Tensor&gt;</c> on a <see cref="SequenceDataset"/>, needs no
/// step: <see cref="ExperimentRunner.Fit(nn.Module{Tensor, Tensor}, SequenceDataset, SequenceDataset?, TrainingOptions, IEnumerable{Callback}?, CancellationToken)"/>
/// uses <see cref="TrainingStep.InputsToTargets"/>. A model with other inputs declares its data type (an
/// <see cref="ISampleBatch{TSelf}"/>) and a step, or uses <see cref="TrainingStep.Create"/>.
/// </remarks>
/// <typeparam name="TModel">The model type.</typeparam>
/// <typeparam name="TBatch">The data type, the same for a whole dataset and one of its batches.</typeparam>
public abstract class TrainingStep<TModel, TBatch>
    where TModel : nn.Module
    where TBatch : ISampleBatch<TBatch>
{
    /// <summary>The model's output for a batch; runs in the batch's dispose scope, with gradients while training.</summary>
    public abstract Tensor Predict(TModel model, TBatch batch);

    /// <summary>The tensor of <paramref name="batch"/> that the loss and the metrics score predictions against.</summary>
    public abstract Tensor Targets(TBatch batch);

    /// <summary>
    /// Checks a whole dataset before anything reaches native code; by default that every tensor has a
    /// sample dimension and all agree on the number of samples.
    /// </summary>
    /// <param name="data">The dataset.</param>
    /// <param name="name">Its name (<c>train</c>, <c>validation</c>, <c>data</c>) for messages and the exception's parameter name.</param>
    /// <exception cref="ArgumentException">The data cannot be used.</exception>
    public virtual void CheckData(TBatch data, string name) => SampleBatch.Validate(data, name);
}

/// <summary>Ready-made training steps.</summary>
public static class TrainingStep
{
    /// <summary>The plain step: <c>model.forward(batch.Inputs)</c>, scored against <c>batch.Targets</c>.</summary>
    public static TrainingStep<nn.Module<Tensor, Tensor>, SequenceDataset> InputsToTargets { get; } = new InputTargetStep();

    /// <summary>A step from two functions: the model's output for a batch, and the batch's targets.</summary>
    public static TrainingStep<TModel, TBatch> Create<TModel, TBatch>(Func<TModel, TBatch, Tensor> predict, Func<TBatch, Tensor> targets)
        where TModel : nn.Module
        where TBatch : ISampleBatch<TBatch>
    {
        ArgumentNullException.ThrowIfNull(predict);
        ArgumentNullException.ThrowIfNull(targets);
        return new FunctionStep<TModel, TBatch>(predict, targets);
    }

    private sealed class FunctionStep<TModel, TBatch>(Func<TModel, TBatch, Tensor> predict, Func<TBatch, Tensor> targets) : TrainingStep<TModel, TBatch>
        where TModel : nn.Module
        where TBatch : ISampleBatch<TBatch>
    {
        public override Tensor Predict(TModel model, TBatch batch) => predict(model, batch);

        public override Tensor Targets(TBatch batch) => targets(batch);
    }

    private sealed class InputTargetStep : TrainingStep<nn.Module<Tensor, Tensor>, SequenceDataset>
    {
        public override Tensor Predict(nn.Module<Tensor, Tensor> model, SequenceDataset batch) => model.forward(batch.Inputs);

        public override Tensor Targets(SequenceDataset batch) => batch.Targets;

        public override void CheckData(SequenceDataset data, string name)
        {
            ArgumentNullException.ThrowIfNull(data, name);
            data.Validate(name);
            // Integer inputs are token ids for models that embed them (SequenceClassifier); the model checks their range.
            if (data.Inputs.dtype == ScalarType.Bool || data.Inputs.is_complex())
                throw new ArgumentException(
                    $"{name}: inputs must be a floating-point tensor, or integer token ids for a model that embeds them (got {data.Inputs.dtype}); convert with .to(ScalarType.Float32)", name);
            if (data.Inputs.is_floating_point())
                Loss.CheckFinite(data.Inputs, $"{name} inputs", name);
        }
    }
}
