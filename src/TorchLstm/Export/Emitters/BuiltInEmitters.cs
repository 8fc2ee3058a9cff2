using TorchLstm.Export.Emission;

namespace TorchLstm.Export.Emitters;

/// <summary>The emitters <see cref="TorchScript"/> knows without options: TorchSharp's built-in layers.</summary>
public static class BuiltInEmitters
{
    /// <summary>LSTM, GRU, RNN, Linear, Dropout, Embedding, Sequential, ReLU, Tanh, Sigmoid, LeakyReLU, Softmax, LogSoftmax, Identity.</summary>
    public static IReadOnlyList<IModuleEmitter> All { get; } =
    [
        new LstmEmitter(), new GruEmitter(), new RnnEmitter(),
        new LinearEmitter(), new DropoutEmitter(), new EmbeddingEmitter(), new SequentialEmitter(),
        new ReluEmitter(), new TanhEmitter(), new SigmoidEmitter(), new LeakyReluEmitter(),
        new SoftmaxEmitter(), new LogSoftmaxEmitter(), new IdentityEmitter(),
    ];
}
