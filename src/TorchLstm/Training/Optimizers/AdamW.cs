using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Training.Optimizers;

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019: Adam with decoupled weight decay), computing exactly what
/// TorchSharp's <c>optim.AdamW</c> computes, but releasing every native object a step makes before it returns.
/// </summary>
/// <remarks>See <see cref="Adam"/> for why; the state format is TorchSharp's own.</remarks>
public sealed class AdamW : TorchSharp.Modules.AdamW
{
    /// <summary>Creates the optimiser over <paramref name="parameters"/>; the arguments mean what they mean for <c>optim.AdamW</c>.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the running mean of gradients.</param>
    /// <param name="beta2">Decay of the running mean of squared gradients.</param>
    /// <param name="eps">Added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">Decoupled weight decay: each step multiplies the weights by <c>1 − lr·weight_decay</c>.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (as TorchSharp checks them).</exception>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    /// <param name="closure">Re-evaluates the model and returns the loss; optional.</param>
    /// <returns>The closure's loss, or null without one.</returns>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        using var scalars = new StepScalars();
        AdamUpdate.Apply(group.Parameters, _state, scalars, new AdamSettings(
            options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.LearningRate!.Value,
            options.weight_decay!.Value, Decoupled: true, options.amsgrad!.Value, options.maximize!.Value));
    }, closure);
}
