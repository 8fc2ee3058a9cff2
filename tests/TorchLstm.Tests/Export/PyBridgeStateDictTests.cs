using TorchLstm.Export;
using TorchLstm.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// TorchSharp.PyBridge is a second, independent reader and writer of <c>torch.save(state_dict)</c>
/// files (its own pickler and unpickler): every library model's weights travel between it and
/// <see cref="PyTorchStateDict"/> in both directions and arrive bit for bit, with no Python needed.
/// </summary>
public sealed class PyBridgeStateDictTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "torchlstm-pybridge-" + Guid.NewGuid().ToString("N"));

    public PyBridgeStateDictTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Models()
    {
        var names = new TheoryData<string>();
        foreach (var c in ModelExportCases.All) names.Add(c.Name);
        foreach (var c in Seq2SeqExportCases.All) names.Add("seq2seq_" + c.Name);
        return names;
    }

    private static nn.Module Create(string name, int seed)
    {
        torch.manual_seed(seed);
        return name.StartsWith("seq2seq_", StringComparison.Ordinal)
            ? new Seq2SeqAttention(Seq2SeqExportCases.Get(name["seq2seq_".Length..]).Options)
            : ModelExportCases.Get(name).Create();
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void PyTorchStateDict_Save_loads_with_PyBridge_load_py_to_identical_tensors(string name)
    {
        using var source = Create(name, seed: 31);
        using var target = Create(name, seed: 32);
        StateDictAssert.SomeTensorDiffers(source, target);
        string path = Path.Combine(_directory, name + ".pt");

        PyTorchStateDict.Save(source, path);
        target.load_py(path, strict: true);

        StateDictAssert.Identical(source, target);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void PyBridge_save_py_loads_with_PyTorchStateDict_Load_to_identical_tensors(string name)
    {
        using var source = Create(name, seed: 33);
        using var target = Create(name, seed: 34);
        StateDictAssert.SomeTensorDiffers(source, target);
        string path = Path.Combine(_directory, name + ".pt");

        source.save_py(path);
        PyTorchStateDict.Load(target, path);

        StateDictAssert.Identical(source, target);
    }
}

/// <summary>Exact comparisons of two modules' state dicts.</summary>
internal static class StateDictAssert
{
    /// <summary>The same keys in the same order, and every tensor of the same dtype, shape and values.</summary>
    public static void Identical(nn.Module expected, nn.Module actual)
    {
        var expectedState = expected.state_dict();
        var actualState = actual.state_dict();
        Assert.Equal(expectedState.Keys, actualState.Keys);
        foreach (var (key, tensor) in expectedState)
        {
            var other = actualState[key];
            Assert.True(tensor.dtype == other.dtype, $"{key}: dtype {other.dtype}, expected {tensor.dtype}");
            Assert.True(tensor.shape.SequenceEqual(other.shape), $"{key}: shape [{string.Join(", ", other.shape)}], expected [{string.Join(", ", tensor.shape)}]");
            Assert.True(tensor.eq(other).all().item<bool>(), $"{key}: values differ");
        }
    }

    /// <summary>Guards a copy test against proving nothing: the two modules must start out different.</summary>
    public static void SomeTensorDiffers(nn.Module first, nn.Module second)
    {
        var secondState = second.state_dict();
        Assert.True(first.state_dict().Any(entry => !entry.Value.eq(secondState[entry.Key]).all().item<bool>()),
            "the two modules already hold the same tensors: a copy between them would prove nothing");
    }
}
