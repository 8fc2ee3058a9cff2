namespace TorchLstm.Models;

/// <summary>The recurrent cell a layer is built from.</summary>
public enum RecurrentCell
{
    /// <summary>Long short-term memory (torch <c>nn.LSTM</c>, Keras <c>LSTM</c>); torch gate order i, f, g, o.</summary>
    Lstm,

    /// <summary>Gated recurrent unit (torch <c>nn.GRU</c>, Keras <c>GRU</c> with <c>reset_after=True</c>); torch gate order r, z, n.</summary>
    Gru,

    /// <summary>Elman recurrent network with tanh (torch <c>nn.RNN</c>, Keras <c>SimpleRNN</c>).</summary>
    Rnn,
}
