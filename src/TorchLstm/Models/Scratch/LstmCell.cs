using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>The parameters of one LSTM layer in one direction, in torch's layout.</summary>
/// <param name="InputWeights">W_i· stacked by gate, (gates × hidden, input).</param>
/// <param name="HiddenWeights">W_h· stacked by gate, (gates × hidden, hidden).</param>
/// <param name="InputBias">b_i·, or null without bias.</param>
/// <param name="HiddenBias">b_h·, or null without bias.</param>
/// <param name="PeepholeInput">w_ci (peephole variant only).</param>
/// <param name="PeepholeForget">w_cf (peephole variant without CIFG only).</param>
/// <param name="PeepholeOutput">w_co (peephole variant only).</param>
internal sealed record LstmWeights(
    Tensor InputWeights, Tensor HiddenWeights, Tensor? InputBias, Tensor? HiddenBias,
    Tensor? PeepholeInput = null, Tensor? PeepholeForget = null, Tensor? PeepholeOutput = null);

/// <summary>
/// The LSTM cell written from its equations with elementary tensor operations. Autograd differentiates
/// it; this is the readable definition that the fused kernel (<see cref="FusedLstmLayer"/>) must match,
/// and the only implementation of the peephole and CIFG variants.
/// </summary>
internal static class LstmCell
{
    /// <summary>The scalar 1 for fused multiply-adds, made once: every implicit conversion allocates a native scalar.</summary>
    internal static readonly Scalar One = 1.0.ToScalar();

    /// <summary>
    /// One time step. <paramref name="preActivations"/> already holds, for every gate block,
    /// a_t = W_i· x_t + b_i· + W_h· h_{t−1} + b_h·, stacked [i, f, g, o] (CIFG: [i, g, o]).
    /// </summary>
    internal static (Tensor H, Tensor C) Step(Tensor preActivations, Tensor cPrev, LstmWeights w, ScratchLstmVariant variant)
    {
        Tensor[] a = preActivations.chunk(variant.GateCount, 1);
        Tensor aI = a[0];
        Tensor aF = variant.CoupledInputForgetGate ? aI : a[1];
        Tensor aG = a[^2];
        Tensor aO = a[^1];

        // i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi [+ w_ci ⊙ c_{t−1}])
        Tensor i = (variant.Peepholes ? torch.addcmul(aI, w.PeepholeInput!, cPrev, One) : aI).sigmoid();
        // f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf [+ w_cf ⊙ c_{t−1}]);   CIFG: f_t = 1 − i_t
        Tensor f = variant.CoupledInputForgetGate
            ? i.neg().add_(1)
            : (variant.Peepholes ? torch.addcmul(aF, w.PeepholeForget!, cPrev, One) : aF).sigmoid();
        // g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
        Tensor g = aG.tanh();
        // c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
        Tensor c = torch.addcmul(f * cPrev, i, g, One);
        // o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho [+ w_co ⊙ c_t])   (the peephole sees the new cell)
        Tensor o = (variant.Peepholes ? torch.addcmul(aO, w.PeepholeOutput!, c, One) : aO).sigmoid();
        // h_t = o_t ⊙ tanh(c_t)
        Tensor h = o * c.tanh();
        return (h, c);
    }

    /// <summary>
    /// Runs one layer in one direction over a time-major input (seq, batch, input) and returns the hidden
    /// state of every step (seq, batch, hidden) in time order plus the final (h, c).
    /// </summary>
    internal static (Tensor Output, Tensor H, Tensor C) Run(
        Tensor x, Tensor h, Tensor c, LstmWeights w, ScratchLstmVariant variant, bool reverse)
    {
        long steps = x.shape[0];
        // W_i· x_t + b_i· + b_h· for all steps in one matrix product rather than one per step.
        Tensor[] inputPart = ProjectInputs(x, w.InputWeights, Combine(w.InputBias, w.HiddenBias)).unbind(0);
        Tensor hiddenWeightsT = w.HiddenWeights.t();
        var outputs = new Tensor[steps];
        for (long k = 0; k < steps; k++)
        {
            long t = reverse ? steps - 1 - k : k;
            // a_t = (W_i· x_t + b_i· + b_h·) + h_{t−1} W_h·ᵀ, all gate blocks in one addmm.
            Tensor preActivations = torch.addmm(inputPart[t], h, hiddenWeightsT, 1, 1);
            (h, c) = Step(preActivations, c, w, variant);
            outputs[t] = h;
        }
        return (torch.stack(outputs), h, c);
    }

    /// <summary>x (seq, batch, input) ↦ x Wᵀ + bias, (seq, batch, rows), as a single matrix product.</summary>
    internal static Tensor ProjectInputs(Tensor x, Tensor weights, Tensor? bias)
    {
        long steps = x.shape[0], batch = x.shape[1];
        Tensor flat = x.reshape(steps * batch, x.shape[2]);
        Tensor projected = bias is null ? flat.matmul(weights.t()) : torch.addmm(bias, flat, weights.t(), 1, 1);
        return projected.view(steps, batch, weights.shape[0]);
    }

    /// <summary>b_i· + b_h·: both biases enter every gate additively, so one sum serves all steps.</summary>
    internal static Tensor? Combine(Tensor? inputBias, Tensor? hiddenBias) =>
        inputBias is null || hiddenBias is null ? null : inputBias + hiddenBias;
}
