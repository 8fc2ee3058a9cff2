namespace TorchLstm.Models;

/// <summary>
/// Opt-in departures of <see cref="ScratchLstm"/> from torch's LSTM cell. The default
/// (<see cref="Standard"/>) is exactly torch's cell; any other value adds or removes parameters, so the
/// module is then no longer interchangeable with <c>nn.LSTM</c>.
/// </summary>
/// <param name="Peepholes">
/// Peephole connections (Gers &amp; Schmidhuber 2000): the input and forget gates also see the previous
/// cell state c_{t−1}, the output gate sees the new cell state c_t, each through a diagonal weight vector
/// (<c>weight_ci_l{k}</c>, <c>weight_cf_l{k}</c>, <c>weight_co_l{k}</c>, each of length hidden size).
/// </param>
/// <param name="CoupledInputForgetGate">
/// Coupled input–forget gate (CIFG): the forget gate is tied to the input gate, f_t = 1 − i_t, so the
/// forget-gate rows are absent and the gate blocks are i, g, o (3 × hidden rows instead of 4 × hidden).
/// With <see cref="Peepholes"/> there is then no <c>weight_cf</c>.
/// </param>
public sealed record ScratchLstmVariant(bool Peepholes = false, bool CoupledInputForgetGate = false)
{
    /// <summary>Torch's LSTM cell: four gate blocks i, f, g, o and no peepholes.</summary>
    public static ScratchLstmVariant Standard { get; } = new();

    /// <summary>True when the cell is exactly torch's, so state dicts are interchangeable with <c>nn.LSTM</c>.</summary>
    public bool IsStandard => !Peepholes && !CoupledInputForgetGate;

    /// <summary>Number of gate blocks stacked in the weight matrices: 4 (i, f, g, o) or 3 under CIFG (i, g, o).</summary>
    public int GateCount => CoupledInputForgetGate ? 3 : 4;
}
