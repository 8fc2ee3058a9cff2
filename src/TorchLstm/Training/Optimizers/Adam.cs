using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Training.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015), computing exactly what TorchSharp's <c>optim.Adam</c> computes, but
/// releasing every native object a step makes before the step returns.
/// </summary>
/// <remarks>
/// TorchSharp's optimisers leave native <see cref="Scalar"/>s to the finaliser; in a long loop the C heap
/// fragments around them and resident memory grows unless the loop forces garbage collections. This
/// class keeps TorchSharp's parameter groups, options and per-parameter state (so
/// <c>save_state_dict</c>/<c>load_state_dict</c> read and write the same format, and learning-rate
/// schedulers work unchanged) and replaces only the update: the same operations in the same order, with
/// each step's scalars made once and disposed, and one temporary tensor per parameter instead of two.
/// Use it in a hand-written loop the same way as <c>optim.Adam</c>.
/// </remarks>
public sealed class Adam : TorchSharp.Modules.Adam
{
    /// <summary>Creates the optimiser over <paramref name="parameters"/>; the arguments mean what they mean for <c>optim.Adam</c>.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the running mean of gradients.</param>
    /// <param name="beta2">Decay of the running mean of squared gradients.</param>
    /// <param name="eps">Added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">L2 penalty added to the gradient.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (the running maximum of the squared-gradient mean).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (as TorchSharp checks them).</exception>
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
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
            options.weight_decay!.Value, Decoupled: false, options.amsgrad!.Value, options.maximize!.Value));
    }, closure);
}
