using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional (Nesterov) momentum, computing exactly what TorchSharp's
/// <c>optim.SGD</c> computes, but releasing every native object a step makes before it returns.
/// </summary>
/// <remarks>
/// See <see cref="Adam"/> for why. Named like torch's class because TorchSharp writes the class name into
/// the saved optimiser state: checkpoints written with <c>optim.SGD</c> load into this class and back.
/// </remarks>
public sealed class SGD : TorchSharp.Modules.SGD
{
    /// <summary>Creates the optimiser over <paramref name="parameters"/>; the arguments mean what they mean for <c>optim.SGD</c>.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum factor (0 for none).</param>
    /// <param name="dampening">Dampening of the momentum.</param>
    /// <param name="weight_decay">L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs momentum and no dampening).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range (as TorchSharp checks them).</exception>
    public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0,
        bool nesterov = false, bool maximize = false)
        : base(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize)
    {
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    /// <param name="closure">Re-evaluates the model and returns the loss; optional.</param>
    /// <returns>The closure's loss, or null without one.</returns>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, weightDecay = options.weight_decay!.Value;
        bool nesterov = options.nesterov!.Value;
        double lr = options.LearningRate!.Value;
        using var scalars = new StepScalars();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(param, scalars.Of(weightDecay));
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                {
                    buffer = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buffer;
                }
                else
                {
                    buffer.mul_(scalars.Of(momentum)).add_(grad, scalars.Of(1 - dampening));
                }
                grad = nesterov ? grad.add(buffer, scalars.Of(momentum)) : buffer;
            }
            // As TorchSharp does: maximize flips the sign of the step.
            param.add_(grad, scalars.Of(options.maximize!.Value ? lr : -lr));
        }
    }, closure);
}
