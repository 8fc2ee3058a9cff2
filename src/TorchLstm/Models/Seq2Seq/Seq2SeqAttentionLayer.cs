using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// Scores every encoder output against the decoder's current hidden state, turns the scores into
/// weights with a softmax over the real (non-padding) source positions, and returns the weighted
/// average of the encoder outputs (the context vector).
/// </summary>
/// <remarks>
/// Parameter names: additive — <c>query.weight</c>, <c>key.weight</c>, <c>key.bias</c>, <c>energy.weight</c>;
/// general — <c>key.weight</c>; dot has no parameters.
/// </remarks>
internal sealed class Seq2SeqAttentionLayer : nn.Module
{
    private readonly AttentionKind kind;
    private readonly Linear? query;
    private readonly Linear? key;
    private readonly Linear? energy;

    public Seq2SeqAttentionLayer(AttentionKind kind, int encoderOutputSize, int decoderHiddenSize, int attentionSize)
        : base(nameof(Seq2SeqAttentionLayer))
    {
        this.kind = kind;
        switch (kind)
        {
            case AttentionKind.Additive:
                query = nn.Linear(decoderHiddenSize, attentionSize, hasBias: false);
                key = nn.Linear(encoderOutputSize, attentionSize);
                energy = nn.Linear(attentionSize, 1, hasBias: false);
                break;
            case AttentionKind.General:
                key = nn.Linear(encoderOutputSize, decoderHiddenSize, hasBias: false);
                break;
            case AttentionKind.Dot:
                if (encoderOutputSize != decoderHiddenSize)
                    throw new ArgumentException($"Dot attention needs equal encoder output ({encoderOutputSize}) and decoder hidden ({decoderHiddenSize}) sizes.");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only Additive, Dot and General attention have a layer.");
        }
        RegisterComponents();
    }

    /// <summary>The encoder outputs as the score function reads them; computed once per source batch, not per step.</summary>
    public Tensor Keys(Tensor encoderOutputs) => key is null ? encoderOutputs.alias() : key.call(encoderOutputs);

    /// <summary>Context (batch, encoderOutputSize) and weights (batch, sourceLength) for decoder states (batch, decoderHidden).</summary>
    public (Tensor Context, Tensor Weights) Attend(Tensor decoderHidden, EncoderMemory memory)
    {
        Tensor scores = kind == AttentionKind.Additive
            // vᵀ tanh(W_q h_t + W_k h̄_s): the query is broadcast over source positions.
            ? energy!.call((memory.Keys + query!.call(decoderHidden).unsqueeze(1)).tanh()).squeeze(-1)
            // h_tᵀ k_s for every s at once: (batch, S, H) × (batch, H, 1).
            : memory.Keys.bmm(decoderHidden.unsqueeze(-1)).squeeze(-1);
        // −∞ before the softmax gives padding a weight of exactly zero, not merely a small one.
        var weights = scores.masked_fill(memory.Padding, double.NegativeInfinity).softmax(-1);
        var context = weights.unsqueeze(1).bmm(memory.Outputs).squeeze(1);
        return (context, weights);
    }
}
