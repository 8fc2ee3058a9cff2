using TorchLstm.Export.Emission;
using TorchLstm.Export.ModelEmitters;

namespace TorchLstm.Export.Emitters;

/// <summary>
/// The emitters <see cref="TorchScript"/> knows without options: TorchSharp's built-in layers and this
/// library's own models. A new model type (for example a sequence-to-sequence model) joins by adding
/// its emitter to <see cref="Models"/>, or per call through <see cref="TorchScriptExportOptions.Emitters"/>.
/// </summary>
internal static class BuiltInEmitters
{
    /// <summary>LSTM, GRU, RNN, LSTMCell, GRUCell, RNNCell, Linear, Dropout, Embedding, Sequential, ModuleList, ReLU, Tanh, Sigmoid, LeakyReLU, Softmax, LogSoftmax, Identity.</summary>
    public static IReadOnlyList<IModuleEmitter> Layers { get; } =
    [
        new LstmEmitter(), new GruEmitter(), new RnnEmitter(), new LstmCellEmitter(), new GruCellEmitter(), new RnnCellEmitter(),
        new LinearEmitter(), new DropoutEmitter(), new EmbeddingEmitter(), new SequentialEmitter(), new ModuleListEmitter(),
        new ReluEmitter(), new TanhEmitter(), new SigmoidEmitter(), new LeakyReluEmitter(),
        new SoftmaxEmitter(), new LogSoftmaxEmitter(), new IdentityEmitter(),
    ];

    /// <summary>The library's models: StackedLstm, StackedGru, StackedRnn, BidirectionalRnn, SequenceClassifier, ScaledForecaster, ResidualForecaster, ScratchLstm, ScratchGru, Seq2SeqAttention.</summary>
    public static IReadOnlyList<IModuleEmitter> Models { get; } =
    [
        new StackedLstmEmitter(), new StackedGruEmitter(), new StackedRnnEmitter(), new BidirectionalRnnEmitter(),
        new SequenceClassifierEmitter(), new ScaledForecasterEmitter(), new ResidualForecasterEmitter(), new ScratchLstmEmitter(), new ScratchGruEmitter(),
        new Seq2SeqAttentionEmitter(),
    ];

    /// <summary>Everything above: <see cref="Layers"/> then <see cref="Models"/>.</summary>
    public static IReadOnlyList<IModuleEmitter> All { get; } = [.. Layers, .. Models];
}
