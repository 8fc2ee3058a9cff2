using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// Torch's standard LSTM layer (one direction) as a single autograd node: the forward pass runs the
/// equations of <see cref="LstmCell.Step"/> without recording a graph, and the backward pass is
/// back-propagation through time written by hand. No per-step graph nodes, one matrix product per
/// step each way, and the weight gradients of all steps as two large matrix products at the end.
/// </summary>
/// <remarks>
/// <para>
/// Inside, the gate rows are rotated from torch's [i, f, g, o] to [o, i, f, g] (the parameters keep
/// torch's order; only working copies are rotated), so the gates the cell update reads (i, f, g) are one
/// contiguous block.
/// </para>
/// <para>
/// The forward loop uses no tanh: libtorch's CPU tanh is several times slower than its sigmoid (measured
/// 2.6 against 0.4 ns per float32 element on this project's AVX-512 machine), and the loop would need two
/// per step. With tanh(x) = 2σ(2x) − 1 it runs on sigmoids instead, and the factors of two are folded into
/// state that is only ever scaled by powers of two, which is exact in floating point:
/// the g rows of the working weights are doubled, so one sigmoid over all four gates gives s = σ(2 a_g) and
/// g = 2s − 1; the loop carries C = 2c, so C_t = f ⊙ C_{t−1} + 4 i ⊙ s − 2 i and tanh(c_t) = 2σ(C_t) − 1;
/// and it carries k = h / 2 = o ⊙ (σ(C_t) − ½), with the recurrent weights doubled to compensate.
/// A step is then nine tensor operations (the step's input projection copied into a fixed buffer, one matrix
/// product, one sigmoid over all gates, three for the cell, three for the hidden state), all but one or two in
/// place; the backward step is eight, with one matrix product.
/// </para>
/// </remarks>
internal sealed class FusedLstmLayer : autograd.MultiTensorFunction<FusedLstmLayer>
{
    // Made once: every implicit double → Scalar conversion allocates a native object only a finaliser frees.
    private static readonly Scalar Two = 2.0.ToScalar();
    private static readonly Scalar Four = 4.0.ToScalar();
    private static readonly Scalar MinusTwo = (-2.0).ToScalar();
    private static readonly Scalar Half = 0.5.ToScalar();
    private static readonly Scalar MinusOne = (-1.0).ToScalar();

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

        // Working weights: rows [i, f, g, o] → [o, i, f, g] (rolling by one block moves o to the front),
        // g rows doubled, and the recurrent ones doubled again because the loop carries h / 2.
        Tensor wIhWork = inputWeights.roll(hidden, 0);
        wIhWork.narrow(0, 3 * hidden, hidden).mul_(Two);
        Tensor wHhWork = hiddenWeights.roll(hidden, 0).mul_(Two);
        wHhWork.narrow(0, 3 * hidden, hidden).mul_(Two);
        Tensor? biasWork = bias?.roll(hidden, 0);
        biasWork?.narrow(0, 3 * hidden, hidden).mul_(Two);
        // a_t starts as W_i· x_t + b_i· + b_h· for every step.
        Tensor gates = LstmCell.ProjectInputs(x, wIhWork, biasWork);
        Tensor[] gatesAt = gates.unbind(0);
        // Each step is computed in one fixed (batch, 4 × hidden) buffer whose gate views are made once: a view
        // costs as much as an element-wise operation (a tensor object on each side), one per step is enough.
        Tensor work = torch.empty([x.shape[1], 4 * hidden], x.dtype, x.device);
        Tensor o = work.narrow(1, 0, hidden), i = work.narrow(1, hidden, hidden);
        Tensor f = work.narrow(1, 2 * hidden, hidden), sg = work.narrow(1, 3 * hidden, hidden);
        Tensor wHhWorkT = wHhWork.t();
        var halfHiddens = new Tensor[steps];
        var doubleCells = saved is null ? null : new Tensor[steps];
        Tensor k = h0 * Half, doubleCell = c0 * Two;
        for (long step = 0; step < steps; step++)
        {
            long t = reverse ? steps - 1 - step : step;
            work.copy_(gatesAt[t]).addmm_(k, wHhWorkT);           // a_t = W_i· x_t + b + W_h· h_{t−1}
            work.sigmoid_();                                       // o_t, i_t, f_t, s_t = σ(a_o), σ(a_i), σ(a_f), σ(2 a_g)
            if (saved is not null) gatesAt[t].copy_(work);         // kept for the local derivatives
            // 2c_t = f_t ⊙ 2c_{t−1} + 2 i_t ⊙ g_t with g_t = 2 s_t − 1; in place when no step's cell is kept.
            doubleCell = (saved is null ? doubleCell.mul_(f) : f * doubleCell).addcmul_(i, sg, Four).add_(i, MinusTwo);
            k = doubleCell.sigmoid().sub_(Half).mul_(o);           // h_t / 2 = o_t ⊙ (tanh(c_t) / 2)
            halfHiddens[t] = k;
            if (doubleCells is not null) doubleCells[t] = doubleCell;
        }
        Tensor output = torch.stack(halfHiddens).mul_(Two);
        Tensor h = k * Two, c = doubleCell * Half;

        if (saved is not null)
        {
            // Local derivatives, computed for all steps at once so the backward loop only chains them, in one
            // (seq, batch, 6, hidden) tensor so the backward needs one view of it per step. With q = σ(2c_t) and
            // s = σ(2 a_g): tanh(c_t) = 2q − 1, 1 − tanh²(c_t) = 4q(1 − q), g_t = 2s − 1 and 1 − g_t² = 4s(1 − s).
            Tensor allDoubleCells = torch.stack(doubleCells!);
            Tensor q = allDoubleCells.sigmoid();
            Tensor gateValues = gates.view(steps, x.shape[1], 4, hidden);     // o, i, f, s
            Tensor local = torch.empty([steps, x.shape[1], 6, hidden], x.dtype, x.device);
            local.narrow(2, 0, 4).copy_(gateValues).addcmul_(gateValues, gateValues, MinusOne);   // σ(1 − σ) of all four gates
            local.select(2, 0).mul_(q.mul(Two).sub_(LstmCell.One));             // ∂h_t/∂a_o = tanh(c_t) σ'(a_o)
            local.select(2, 1).mul_(gateValues.select(2, 3).mul(Two).sub_(LstmCell.One));   // ∂c_t/∂a_i = g_t σ'(a_i)
            local.select(2, 2).mul_(Previous(allDoubleCells, c0 * Two, reverse)).mul_(Half); // ∂c_t/∂a_f = c_{t−1} σ'(a_f)
            local.select(2, 3).mul_(gateValues.select(2, 1)).mul_(Four);       // ∂c_t/∂a_g = i_t (1 − g_t²)
            local.select(2, 4).copy_(q).addcmul_(q, q, MinusOne).mul_(gateValues.select(2, 0)).mul_(Four);   // ∂h_t/∂c_t = o_t (1 − tanh²c_t)
            local.select(2, 5).copy_(gateValues.select(2, 2));                  // ∂c_t/∂c_{t−1} = f_t
            saved.AddRange([x, Previous(output, h0, reverse), inputWeights.roll(hidden, 0), hiddenWeights.roll(hidden, 0), local]);
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
        Tensor[] localAt = s[4].unbind(0);
        bool reverse = (bool)ctx.get_data("reverse");
        bool hasBias = (bool)ctx.get_data("hasBias");
        bool inputNeedsGrad = (bool)ctx.get_data("inputNeedsGrad");
        long steps = x.shape[0], batch = x.shape[1], hidden = previousHidden.shape[2];

        // One fixed (batch, 6, hidden) buffer per step, its views made once: a step's local derivatives are
        // copied in, the first four blocks become ∂L/∂a_t in place (rotated order [o, i, f, g]) and are copied
        // out to dA, which collects them for the weight gradients. The saved tensors are never written, so a
        // second backward through a retained graph gives the same result.
        Tensor work = torch.empty([batch, 6, hidden], x.dtype, x.device);
        Tensor dAo = work.select(1, 0), dAifg = work.narrow(1, 1, 3), dHdC = work.select(1, 4), forget = work.select(1, 5);
        Tensor dAWork = work.narrow(1, 0, 4).view(batch, 4 * hidden);
        Tensor dA = torch.empty([steps, batch, 4 * hidden], x.dtype, x.device);
        Tensor[] dAAt = dA.unbind(0);
        Tensor[]? dOutput = grad_outputs[0] is { IsInvalid: false } given ? given.unbind(0) : null;
        Tensor dh = StartingGradient(grad_outputs[1], batch, hidden, wIh);  // ∂L/∂h_t flowing back from later steps
        Tensor dc = StartingGradient(grad_outputs[2], batch, hidden, wIh);  // ∂L/∂c_t flowing back from later steps
        Tensor dcPerGate = dc.unsqueeze(1);                                 // a view: dc is only ever updated in place
        for (long step = 0; step < steps; step++)
        {
            long t = reverse ? step : steps - 1 - step;    // the forward's order, backwards
            work.copy_(localAt[t]);
            if (dOutput is not null) dh.add_(dOutput[t], LstmCell.One);   // h_t feeds the output and step t+1
            dc.addcmul_(dh, dHdC, LstmCell.One);           // c_t feeds h_t and c_{t+1}
            dAo.mul_(dh);                                  // ∂L/∂a_o
            dAifg.mul_(dcPerGate);                         // ∂L/∂a_i, ∂L/∂a_f, ∂L/∂a_g
            dc.mul_(forget);                               // ∂L/∂c_{t−1} = ∂L/∂c_t ⊙ f_t
            dAAt[t].copy_(dAWork);
            dh = dAWork.mm(wHh);                           // ∂L/∂h_{t−1} = ∂L/∂a_t W_h·
        }

        Tensor dAFlat = dA.view(steps * batch, 4 * hidden);
        Tensor? dx = inputNeedsGrad ? dAFlat.mm(wIh).view(steps, batch, x.shape[2]) : null;
        Tensor dWih = dAFlat.t().mm(x.reshape(steps * batch, x.shape[2])).roll(-hidden, 0);
        Tensor dWhh = dAFlat.t().mm(previousHidden.view(steps * batch, hidden)).roll(-hidden, 0);
        Tensor? dBias = hasBias ? dAFlat.sum(dim: 0).roll(-hidden, 0) : null;

        var grads = new List<Tensor> { dx!, dh, dc, dWih, dWhh, dBias!, null! };
        foreach (Tensor? grad in grads) grad?.MoveToOuterDisposeScope();
        return grads;
    }

    /// <summary>A copy of the incoming gradient of a final state (it is updated in place), or zeros when it has none.</summary>
    private static Tensor StartingGradient(Tensor? given, long batch, long hidden, Tensor like) =>
        given is { IsInvalid: false } ? given.clone() : torch.zeros([batch, hidden], like.dtype, like.device);
}
