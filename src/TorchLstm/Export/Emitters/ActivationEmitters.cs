using System.Globalization;
using TorchLstm.Export.Emission;
using TorchSharp.Modules;

namespace TorchLstm.Export.Emitters;

/// <summary>Shared shape of the parameter-less activations: one torch call on the input.</summary>
internal abstract class ActivationEmitter<TModule> : ModuleEmitter<TModule> where TModule : TorchSharp.torch.nn.Module
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.activation." + ScriptName;

    /// <summary>The torch.nn class name (ReLU, Tanh, ...).</summary>
    protected abstract string ScriptName { get; }

    /// <summary>The TorchScript expression computing the activation of <c>input</c>.</summary>
    protected abstract string Expression(TModule module);

    /// <inheritdoc />
    protected override void Emit(TModule module, ScriptClassBuilder scriptClass) =>
        scriptClass.AddMethod($"def forward(self, input: Tensor) -> Tensor:\n  return {Expression(module)}");
}

/// <summary><c>nn.ReLU</c>.</summary>
internal sealed class ReluEmitter : ActivationEmitter<ReLU>
{
    /// <inheritdoc />
    protected override string ScriptName => "ReLU";

    /// <inheritdoc />
    protected override string Expression(ReLU module) => "torch.relu(input)";
}

/// <summary><c>nn.Tanh</c>.</summary>
internal sealed class TanhEmitter : ActivationEmitter<Tanh>
{
    /// <inheritdoc />
    protected override string ScriptName => "Tanh";

    /// <inheritdoc />
    protected override string Expression(Tanh module) => "torch.tanh(input)";
}

/// <summary><c>nn.Sigmoid</c>.</summary>
internal sealed class SigmoidEmitter : ActivationEmitter<Sigmoid>
{
    /// <inheritdoc />
    protected override string ScriptName => "Sigmoid";

    /// <inheritdoc />
    protected override string Expression(Sigmoid module) => "torch.sigmoid(input)";
}

/// <summary><c>nn.LeakyReLU</c> with its negative slope.</summary>
internal sealed class LeakyReluEmitter : ActivationEmitter<LeakyReLU>
{
    /// <inheritdoc />
    protected override string ScriptName => "LeakyReLU";

    /// <inheritdoc />
    protected override string Expression(LeakyReLU module) =>
        $"torch.leaky_relu(input, {ScriptClassBuilder.FormatFloat(module.negative_slope)})";
}

/// <summary><c>nn.Softmax</c> over its dimension.</summary>
internal sealed class SoftmaxEmitter : ActivationEmitter<Softmax>
{
    /// <inheritdoc />
    protected override string ScriptName => "Softmax";

    /// <inheritdoc />
    protected override string Expression(Softmax module) =>
        $"torch.softmax(input, {module.dim.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary><c>nn.LogSoftmax</c> over its dimension.</summary>
internal sealed class LogSoftmaxEmitter : ActivationEmitter<LogSoftmax>
{
    /// <inheritdoc />
    protected override string ScriptName => "LogSoftmax";

    /// <inheritdoc />
    protected override string Expression(LogSoftmax module) =>
        $"torch.log_softmax(input, {module.dim.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary><c>nn.Identity</c>.</summary>
internal sealed class IdentityEmitter : ActivationEmitter<Identity>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.linear.Identity";

    /// <inheritdoc />
    protected override string ScriptName => "Identity";

    /// <inheritdoc />
    protected override string Expression(Identity module) => "input";
}
