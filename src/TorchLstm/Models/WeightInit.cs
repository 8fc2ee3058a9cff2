namespace TorchLstm.Models;

/// <summary>How a model's recurrent layers and output head are initialised.</summary>
public enum WeightInit
{
    /// <summary>
    /// Keep torch's defaults: recurrent weights and biases uniform in ±1/√hidden, the Linear head
    /// Kaiming-uniform.
    /// </summary>
    TorchDefault,

    /// <summary>
    /// Every weight matrix (input, recurrent and head) drawn from normal(0, 0.05) and every bias zero,
    /// like Keras <c>RandomNormal(stddev=0.05)</c> with zero bias initialisers.
    /// </summary>
    KerasNormal,

    /// <summary>
    /// Keras's recurrent defaults: input weights and the head Xavier/Glorot-uniform over the whole
    /// matrix, each gate's square block of the recurrent weights orthogonal, biases zero except the
    /// LSTM forget gate, whose effective bias is 1 (<c>unit_forget_bias</c>). Torch keeps two bias
    /// vectors per layer whose sum is the effective bias, so the 1 goes into <c>bias_ih</c> and
    /// <c>bias_hh</c> stays zero.
    /// </summary>
    XavierOrthogonal,
}
