using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Training.Optimizers;

/// <summary>
/// RMSprop (Hinton's lecture notes; centred variant from Graves, 2013), computing exactly what TorchSharp's
/// <c>optim.RMSProp</c> computes, but releasing every native object a step makes before it returns.
/// </summary>
/// <remarks>
/// See <see cref="Adam"/> for why. Named like torch's class because TorchSharp writes the class name into
/// the saved optimiser state: checkpoints written with <c>optim.RMSProp</c> load into this class and back.
/// </remarks>
public sealed class RMSProp : TorchSharp.Modules.RMSProp
{
    /// <summary>Creates the optimiser over <paramref name="parameters"/>; the arguments mean what they mean for <c>optim.RMSProp</c>.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="alpha">Decay of the running mean of squared gradients.</param>
    /// <param name="eps">Added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">L2 penalty added to the gradient.</param>
    /// <param name="momentum">Momentum factor (0 for none).</param>
    /// <param name="centered">Normalise by the estimated variance of the gradient instead of its second moment.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (as TorchSharp checks them).</exception>
    public RMSProp(IEnumerable<Parameter> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
        double momentum = 0, bool centered = false, bool maximize = false)
        : base(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize)
    {
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    /// <param name="closure">Re-evaluates the model and returns the loss; optional.</param>
    /// <returns>The closure's loss, or null without one.</returns>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, alpha = options.alpha!.Value, eps = options.eps!.Value;
        double weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        bool centered = options.centered!.Value, maximize = options.maximize!.Value;
        using var scalars = new StepScalars();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = grad.neg();
            state.step += 1;
            if (weightDecay != 0) grad = grad.add(param, scalars.Of(weightDecay));
            state.square_avg.mul_(scalars.Of(alpha)).addcmul_(grad, grad, scalars.Of(1 - alpha));

            Tensor average;
            if (centered)
            {
                state.grad_avg.mul_(scalars.Of(alpha)).add_(grad, scalars.Of(1 - alpha));
                average = state.square_avg.addcmul(state.grad_avg, state.grad_avg, scalars.Of(-1)).sqrt_().add_(scalars.Of(eps), scalars.Of(1));
            }
            else
            {
                average = state.square_avg.sqrt().add_(scalars.Of(eps), scalars.Of(1));
            }

            if (momentum > 0)
            {
                state.momentum_buffer.mul_(scalars.Of(momentum)).addcdiv_(grad, average, scalars.Of(1));
                param.add_(state.momentum_buffer, scalars.Of(-lr));
            }
            else
            {
                param.addcdiv_(grad, average, scalars.Of(-lr));
            }
        }
    }, closure);
}
