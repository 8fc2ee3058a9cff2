using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// Torch's standard LSTM layer (one direction) as a single autograd node: the forward pass runs the
/// equations of <see cref="LstmCell.Step"/> without recording a graph, and the backward pass is
/// back-propagation through time written by hand. This is what makes the from-scratch module about
/// as fast as libtorch's own: no per-step graph nodes, one matrix product per step each way, and the
/// weight gradients of all steps as two large matrix products at the end.
/// </summary>
/// <remarks>
/// Inside, the gate rows are rotated from torch's [i, f, g, o] to [o, i, f, g] (the parameters keep
/// torch's order; only the working copy is rotated). Then the three sigmoid gates are one contiguous
/// block, so the forward needs one sigmoid and one tanh per step, and in the backward the gates driven
/// by ∂L/∂c (i, f, g) are one contiguous block too.
/// </remarks>
internal sealed class FusedLstmLayer : autograd.MultiTensorFunction<FusedLstmLayer>
{
    /// <inheritdoc/>
    public override string Name => "ScratchLstmLayerBackward";

    /// <summary>Runs the layer; records one graph node only when a gradient will be needed.</summary>
    internal static (Tensor Output, Tensor H, Tensor C) Run(Tensor x, Tensor h0, Tensor c0, LstmWeights w, bool reverse)
    {
        Tensor? bias = LstmCell.Combine(w.InputBias, w.HiddenBias);
        bool needsGraph = torch.is_grad_enabled() &&
            (x.requires_grad || h0.requires_grad || c0.requires_grad || w.InputWeights.requires_grad ||
             w.HiddenWeights.requires_grad || (bias?.requires_grad ?? false));
        if (!needsGraph)
        {
            var plain = Forward(x, h0, c0, w.InputWeights, w.HiddenWeights, bias, reverse, saved: null);
            return (plain.Output, plain.H, plain.C);
        }
        List<Tensor> outputs = apply(x, h0, c0, w.InputWeights, w.HiddenWeights, bias!, reverse);
        return (outputs[0], outputs[1], outputs[2]);
    }

    /// <inheritdoc/>
    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var h0 = (Tensor)vars[1];
        var c0 = (Tensor)vars[2];
        var inputWeights = (Tensor)vars[3];
        var hiddenWeights = (Tensor)vars[4];
        var bias = vars[5] as Tensor;
        var reverse = (bool)vars[6];
        var saved = new List<Tensor>();
        var (output, h, c) = Forward(x, h0, c0, inputWeights, hiddenWeights, bias, reverse, saved);
        ctx.save_for_backward(saved);
        // Unused outputs (typically h_n and c_n) get no gradient; the backward substitutes zeros itself,
        // because the library's own substitution reads tensors that may be disposed by then.
        ctx.set_materialize_grads(false);
        ctx.save_data("reverse", reverse);
        ctx.save_data("hasBias", bias is not null);
        ctx.save_data("inputNeedsGrad", x.requires_grad);
        return [output, h, c];
    }

    /// <summary>
    /// The forward recurrence. When <paramref name="saved"/> is given, also fills it with what the
    /// backward pass needs: the input, h_{t−1} per step, the rotated weights and the local derivatives.
    /// </summary>
    private static (Tensor Output, Tensor H, Tensor C) Forward(
        Tensor x, Tensor h0, Tensor c0, Tensor inputWeights, Tensor hiddenWeights, Tensor? bias, bool reverse, List<Tensor>? saved)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long steps = x.shape[0], hidden = h0.shape[1];

        // Rows [i, f, g, o] → [o, i, f, g]: rolling by one block moves o to the front.
        Tensor wIh = inputWeights.roll(hidden, 0), wHh = hiddenWeights.roll(hidden, 0);
        // a_t starts as W_i· x_t + b_i· + b_h· for every step, then is completed and activated in place.
        Tensor gates = LstmCell.ProjectInputs(x, wIh, bias?.roll(hidden, 0));
        // Per-step views made in bulk (one call per block for all steps) so the loop issues only
        // the seven operations of the recurrence itself.
        Tensor[] gatesAt = gates.unbind(0);
        Tensor[] sigmoidBlockAt = gates.narrow(2, 0, 3 * hidden).unbind(0);
        Tensor[] oAt = gates.narrow(2, 0, hidden).unbind(0), iAt = gates.narrow(2, hidden, hidden).unbind(0);
        Tensor[] fAt = gates.narrow(2, 2 * hidden, hidden).unbind(0), gAt = gates.narrow(2, 3 * hidden, hidden).unbind(0);
        Tensor wHhT = wHh.t();
        var cells = new Tensor[steps];
        var hiddens = new Tensor[steps];
        Tensor h = h0, c = c0;
        for (long k = 0; k < steps; k++)
        {
            long t = reverse ? steps - 1 - k : k;
            gatesAt[t].addmm_(h, wHhT);                            // a_t += W_h· h_{t−1}
            sigmoidBlockAt[t].sigmoid_();                          // o_t, i_t, f_t = σ(a_o), σ(a_i), σ(a_f)
            gAt[t].tanh_();                                        // g_t = tanh(a_g)
            c = (fAt[t] * c).addcmul_(iAt[t], gAt[t], LstmCell.One);   // c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
            h = c.tanh().mul_(oAt[t]);                             // h_t = o_t ⊙ tanh(c_t)
            cells[t] = c;
            hiddens[t] = h;
        }
        Tensor output = torch.stack(hiddens);

        if (saved is not null)
        {
            Tensor allCells = torch.stack(cells);
            Tensor previousCells = Previous(allCells, c0, reverse);
            Tensor tanhC = allCells.tanh();
            Tensor oAll = gates.narrow(2, 0, hidden), iAll = gates.narrow(2, hidden, hidden);
            Tensor fAll = gates.narrow(2, 2 * hidden, hidden), gAll = gates.narrow(2, 3 * hidden, hidden);
            // Local derivatives, computed for all steps at once so the backward loop only chains them:
            Tensor dHdAo = tanhC * oAll * (1 - oAll);                  // ∂h_t/∂a_o = tanh(c_t) σ'(a_o)
            Tensor dHdC = oAll * (1 - tanhC.square());                  // ∂h_t/∂c_t = o_t (1 − tanh²c_t)
            Tensor dCdAifg = torch.stack([
                gAll * iAll * (1 - iAll),                               // ∂c_t/∂a_i = g_t σ'(a_i)
                previousCells * fAll * (1 - fAll),                      // ∂c_t/∂a_f = c_{t−1} σ'(a_f)
                iAll * (1 - gAll.square())], 2);                        // ∂c_t/∂a_g = i_t (1 − g_t²)
            saved.AddRange([x, Previous(output, h0, reverse), wIh, wHh, dHdAo, dHdC, dCdAifg, fAll.contiguous()]);
            foreach (Tensor keep in saved) keep.MoveToOuterDisposeScope();
        }
        output.MoveToOuterDisposeScope();
        h.MoveToOuterDisposeScope();
        c.MoveToOuterDisposeScope();
        return (output, h, c);
    }

    /// <summary>The state each step started from, in time order: s_{t−1} forwards, s_{t+1} in reverse.</summary>
    private static Tensor Previous(Tensor states, Tensor initial, bool reverse)
    {
        long steps = states.shape[0];
        return reverse
            ? torch.cat([states.narrow(0, 1, steps - 1), initial.unsqueeze(0)], 0)
            : torch.cat([initial.unsqueeze(0), states.narrow(0, 0, steps - 1)], 0);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        using var scope = torch.NewDisposeScope();
        List<Tensor> s = ctx.get_saved_variables();
        Tensor x = s[0], previousHidden = s[1], wIh = s[2], wHh = s[3];
        Tensor[] dHdAo = s[4].unbind(0), dHdC = s[5].unbind(0), dCdAifg = s[6].unbind(0), forget = s[7].unbind(0);
        bool reverse = (bool)ctx.get_data("reverse");
        bool hasBias = (bool)ctx.get_data("hasBias");
        bool inputNeedsGrad = (bool)ctx.get_data("inputNeedsGrad");
        long steps = x.shape[0], batch = x.shape[1], hidden = previousHidden.shape[2];

        Tensor GradientOrZeros(int index, params long[] shape) =>
            grad_outputs[index] is { IsInvalid: false } given ? given.clone() : torch.zeros(shape, wIh.dtype, wIh.device);
        Tensor[] dOutput = GradientOrZeros(0, steps, batch, hidden).unbind(0);
        Tensor dh = GradientOrZeros(1, batch, hidden);      // ∂L/∂h_t flowing back from later steps
        Tensor dc = GradientOrZeros(2, batch, hidden);      // ∂L/∂c_t flowing back from later steps
        Tensor dcPerGate = dc.unsqueeze(1);                 // a view: dc is only ever updated in place
        Tensor wHhO = wHh.narrow(0, 0, hidden), wHhIfg = wHh.narrow(0, hidden, 3 * hidden);
        var dAo = new Tensor[steps];
        var dAifg = new Tensor[steps];
        for (long k = 0; k < steps; k++)
        {
            long t = reverse ? k : steps - 1 - k;          // the forward's order, backwards
            dh.add_(dOutput[t]);                           // h_t feeds the output and step t+1
            Tensor dO = dh * dHdAo[t];                     // ∂L/∂a_o
            dc.addcmul_(dh, dHdC[t], LstmCell.One);    // c_t feeds h_t and c_{t+1}
            Tensor dIfg = dCdAifg[t] * dcPerGate;          // ∂L/∂a_i, ∂L/∂a_f, ∂L/∂a_g
            dAo[t] = dO;
            dAifg[t] = dIfg;
            dc.mul_(forget[t]);                            // ∂L/∂c_{t−1} = ∂L/∂c_t ⊙ f_t
            dh = dO.mm(wHhO).addmm_(dIfg.view(batch, 3 * hidden), wHhIfg);   // ∂L/∂h_{t−1} = ∂L/∂a W_h
        }

        // All steps' ∂L/∂a stacked (seq × batch, 4 × hidden) in the rotated order [o, i, f, g].
        Tensor dA = torch.cat([torch.stack(dAo), torch.stack(dAifg).view(steps, batch, 3 * hidden)], 2)
            .view(steps * batch, 4 * hidden);
        Tensor? dx = inputNeedsGrad ? dA.mm(wIh).view(steps, batch, x.shape[2]) : null;
        Tensor dWih = dA.t().mm(x.reshape(steps * batch, x.shape[2])).roll(-hidden, 0);
        Tensor dWhh = dA.t().mm(previousHidden.view(steps * batch, hidden)).roll(-hidden, 0);
        Tensor? dBias = hasBias ? dA.sum(dim: 0).roll(-hidden, 0) : null;

        var grads = new List<Tensor> { dx!, dh, dc, dWih, dWhh, dBias!, null! };
        foreach (Tensor? grad in grads) grad?.MoveToOuterDisposeScope();
        return grads;
    }
}
