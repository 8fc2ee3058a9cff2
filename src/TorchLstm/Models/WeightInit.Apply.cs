using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>Applies a <see cref="WeightInit"/> scheme to torch recurrent layers and Linear heads.</summary>
internal static class WeightInitApply
{
    private const double KerasNormalStd = 0.05;

    /// <summary>Initialises a torch LSTM/GRU/RNN layer's <c>weight_ih_*</c>, <c>weight_hh_*</c>, <c>bias_*</c> parameters.</summary>
    internal static void ApplyToRecurrent(this WeightInit scheme, nn.Module layer, RecurrentCell cell)
    {
        if (scheme == WeightInit.TorchDefault) return;
        int gates = RecurrentLayers.GateCount(cell);
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in layer.named_parameters())
        {
            bool isBias = name.StartsWith("bias_", StringComparison.Ordinal);
            if (scheme == WeightInit.KerasNormal)
            {
                if (isBias) nn.init.zeros_(parameter);
                else nn.init.normal_(parameter, 0, KerasNormalStd);
                continue;
            }

            if (name.StartsWith("weight_ih", StringComparison.Ordinal))
            {
                // The whole (gates × hidden, input) matrix at once, as Keras's glorot_uniform kernel.
                nn.init.xavier_uniform_(parameter);
            }
            else if (name.StartsWith("weight_hh", StringComparison.Ordinal))
            {
                long hidden = parameter.shape[1];
                for (int gate = 0; gate < gates; gate++)
                {
                    using var block = parameter.narrow(0, gate * hidden, hidden);
                    nn.init.orthogonal_(block);
                }
            }
            else if (isBias)
            {
                nn.init.zeros_(parameter);
                // Torch's gate order is i, f, g, o: the forget gate is the second block. One bias of
                // the pair carries the 1 so their sum, the effective bias, is exactly 1.
                if (cell == RecurrentCell.Lstm && name.StartsWith("bias_ih", StringComparison.Ordinal))
                {
                    long hidden = parameter.shape[0] / gates;
                    using var forget = parameter.narrow(0, hidden, hidden);
                    forget.fill_(1.0);
                }
            }
        }
    }

    /// <summary>Initialises a Linear head the way the scheme's Keras counterpart initialises Dense.</summary>
    internal static void ApplyToHead(this WeightInit scheme, TorchSharp.Modules.Linear head)
    {
        if (scheme == WeightInit.TorchDefault) return;
        using var noGrad = torch.no_grad();
        if (scheme == WeightInit.KerasNormal) nn.init.normal_(head.weight!, 0, KerasNormalStd);
        else nn.init.xavier_uniform_(head.weight!);
        if (head.bias is not null) nn.init.zeros_(head.bias);
    }
}
