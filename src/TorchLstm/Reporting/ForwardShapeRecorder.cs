using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Reporting;

/// <summary>
/// Runs a model's forward pass with forward hooks on its leaf modules and records, per module, the
/// order of first execution and the shape of its first output.
/// </summary>
internal sealed class ForwardShapeRecorder
{
    private readonly Dictionary<nn.Module, long[]?> _firstOutputShape = new(ReferenceEqualityComparer.Instance);
    private readonly List<nn.Module> _executionOrder = [];

    /// <summary>Leaf modules in the order they first ran.</summary>
    public IReadOnlyList<nn.Module> ExecutionOrder => _executionOrder;

    /// <summary>Shape of the module's first output, or null if it never ran or returned no tensor.</summary>
    public long[]? ShapeOf(nn.Module module) => _firstOutputShape.GetValueOrDefault(module);

    /// <summary>Runs <paramref name="forward"/> once in eval mode without gradients, then restores the model.</summary>
    /// <remarks>
    /// Eval mode keeps layers such as batch norm from updating running statistics; every module's own
    /// training flag is put back afterwards, so a model that was half in eval mode stays that way.
    /// Tensors created by the pass are disposed before returning.
    /// </remarks>
    public static ForwardShapeRecorder Record(nn.Module model, IEnumerable<nn.Module> leaves, Action forward)
    {
        var recorder = new ForwardShapeRecorder();
        var modes = AllModules(model).Select(m => (Module: m, m.training)).ToList();
        var hooks = new List<Action>();
        try
        {
            foreach (var leaf in leaves)
                if (TryAttachOutputHook(leaf, recorder.OnOutput) is { } remove)
                    hooks.Add(remove);

            model.eval();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            forward();
        }
        finally
        {
            foreach (var remove in hooks) remove();
            // named_modules() is pre-order, so a parent's recursive train() never overrides a child's restored flag.
            foreach (var (module, training) in modes) module.train(training);
        }
        return recorder;
    }

    /// <summary>The model followed by all its descendants, in pre-order.</summary>
    internal static IEnumerable<nn.Module> AllModules(nn.Module model) =>
        new[] { model }.Concat(model.named_modules().Select(n => n.Item2).Where(m => !ReferenceEquals(m, model)));

    private void OnOutput(nn.Module module, object? output)
    {
        if (_firstOutputShape.ContainsKey(module)) return;
        _executionOrder.Add(module);
        _firstOutputShape[module] = FirstTensorShape(output);
    }

    /// <summary>Shape of the first tensor in an output that may be a tensor, a tuple (LSTM's (output, h, c)) or a list.</summary>
    internal static long[]? FirstTensorShape(object? output) => output switch
    {
        Tensor tensor => (long[])tensor.shape.Clone(),
        ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => FirstTensorShape(tuple[i])).FirstOrDefault(s => s is not null),
        IEnumerable<Tensor> tensors => tensors.Select(FirstTensorShape).FirstOrDefault(s => s is not null),
        _ => null,
    };

    /// <summary>
    /// TorchSharp types hooks by the module's forward signature (HookableModule&lt;TPreHook, TPostHook&gt;),
    /// so a hook that works for any module is compiled here for whatever TPostHook the module declares.
    /// </summary>
    private static Action? TryAttachOutputHook(nn.Module module, Action<nn.Module, object?> onOutput)
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
        {
            if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(nn.HookableModule<,>)) continue;

            var postHookType = type.GetGenericArguments()[1];
            var invoke = postHookType.GetMethod("Invoke")!;
            var parameters = invoke.GetParameters().Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
            var output = parameters[^1];
            var body = Expression.Block(
                Expression.Invoke(
                    Expression.Constant(onOutput),
                    Expression.Convert(parameters[0], typeof(nn.Module)),
                    Expression.Convert(output, typeof(object))),
                output);
            var hook = Expression.Lambda(postHookType, body, parameters).Compile();

            var register = type.GetMethod("register_forward_hook", [postHookType]);
            object? remover = register?.Invoke(module, [hook]);
            var remove = remover?.GetType().GetMethod("remove", Type.EmptyTypes);
            if (remover is null || remove is null) return null;
            return () => remove.Invoke(remover, null);
        }
        return null;
    }

    /// <summary>Runs <paramref name="forward"/>, turning a native failure into an ArgumentException that names the input.</summary>
    internal static void RunGuarded(Action forward, string inputDescription, string paramName)
    {
        try
        {
            forward();
        }
        catch (ExternalException e)
        {
            throw new ArgumentException(
                $"The model's forward pass failed on the example input {inputDescription}: {FirstLine(e.Message)} " +
                "Give an input whose shape and dtype the model's first layer accepts (batch first unless the model says otherwise).",
                paramName, e);
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n');
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}
