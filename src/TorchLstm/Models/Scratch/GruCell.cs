using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>The parameters of one GRU layer in one direction, in torch's layout (gate blocks r, z, n).</summary>
internal sealed record GruWeights(Tensor InputWeights, Tensor HiddenWeights, Tensor? InputBias, Tensor? HiddenBias);

/// <summary>The GRU cell written from its equations with elementary tensor operations; autograd differentiates it.</summary>
internal static class GruCell
{
    /// <summary>
    /// One time step. <paramref name="inputPart"/> is W_i· x_t + b_i· and <paramref name="hiddenPart"/> is
    /// W_h· h_{t−1} + b_h·, each stacked [r, z, n].
    /// </summary>
    internal static Tensor Step(Tensor inputPart, Tensor hiddenPart, Tensor hPrev)
    {
        long hidden = hPrev.shape[^1];
        // r_t, z_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr), σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz): one sigmoid for both.
        Tensor rz = (inputPart.narrow(1, 0, 2 * hidden) + hiddenPart.narrow(1, 0, 2 * hidden)).sigmoid();
        Tensor r = rz.narrow(1, 0, hidden), z = rz.narrow(1, hidden, hidden);
        // n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
        Tensor n = torch.addcmul(inputPart.narrow(1, 2 * hidden, hidden), r, hiddenPart.narrow(1, 2 * hidden, hidden), LstmCell.One).tanh();
        // h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}  =  n_t + z_t ⊙ (h_{t−1} − n_t)
        return torch.addcmul(n, z, hPrev - n, LstmCell.One);
    }

    /// <summary>
    /// Runs one layer in one direction over a time-major input (seq, batch, input) and returns the hidden
    /// state of every step (seq, batch, hidden) in time order plus the final h.
    /// </summary>
    internal static (Tensor Output, Tensor H) Run(Tensor x, Tensor h, GruWeights w, bool reverse)
    {
        long steps = x.shape[0];
        // W_i· x_t + b_i· for all steps in one matrix product. b_h· cannot be folded in: b_hn sits inside r ⊙ (…).
        Tensor[] inputPart = LstmCell.ProjectInputs(x, w.InputWeights, w.InputBias).unbind(0);
        Tensor hiddenWeightsT = w.HiddenWeights.t();
        var outputs = new Tensor[steps];
        for (long k = 0; k < steps; k++)
        {
            long t = reverse ? steps - 1 - k : k;
            Tensor hiddenPart = w.HiddenBias is null ? h.mm(hiddenWeightsT) : torch.addmm(w.HiddenBias, h, hiddenWeightsT, 1, 1);
            h = Step(inputPart[t], hiddenPart, h);
            outputs[t] = h;
        }
        return (torch.stack(outputs), h);
    }
}
