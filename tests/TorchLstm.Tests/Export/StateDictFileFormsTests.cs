using TorchLstm.Export;
using TorchLstm.Export.Archive;
using TorchLstm.Export.Pickle;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// <see cref="PyTorchStateDict.Load"/> reads the forms of a state_dict file that torch.load reads —
/// whoever wrote it — and refuses, by name, any call a state_dict does not need.
/// </summary>
public sealed class StateDictFileFormsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "torchlstm-sdforms-" + Guid.NewGuid().ToString("N"));

    public StateDictFileFormsTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A torch.save-style archive whose data.pkl is what `write` pickles (tensors through the storage table).
    private string WriteArchive(string name, Action<PickleWriter, TensorStorageTable> write)
    {
        string path = Path.Combine(_directory, name + ".pt");
        using var stream = File.Create(path);
        var archive = new TorchArchiveWriter(stream, name);
        var pickle = new PickleWriter();
        var storages = new TensorStorageTable(pickle);
        write(pickle, storages);
        archive.WriteRecord("data.pkl", pickle.Finish());
        archive.WriteStorages(storages);
        archive.Finish();
        return path;
    }

    private static byte[] DataPickle(string path)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        using var input = entry.Open();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public void A_PyBridge_file_with_OrderedDict_of_an_empty_tuple_loads_to_identical_tensors()
    {
        torch.manual_seed(41);
        using var source = new LastStepRegressor();
        torch.manual_seed(42);
        using var target = new LastStepRegressor();
        StateDictAssert.SomeTensorDiffers(source, target);
        string path = Path.Combine(_directory, "pybridge.pt");
        source.save_py(path);

        // The form at issue: GLOBAL collections.OrderedDict, EMPTY_TUPLE, (BINPUT n,) TUPLE1, REDUCE.
        byte[] data = DataPickle(path);
        byte[] call = [(byte)'c', .. "collections\nOrderedDict\n"u8.ToArray(), (byte)')'];
        int at = data.AsSpan().IndexOf(call);
        Assert.True(at >= 0, "PyBridge no longer writes OrderedDict(()): this test would prove nothing");
        Assert.Equal(0x85, data[at + call.Length + 2]); // TUPLE1 after the BINPUT of the empty tuple
        Assert.Equal((byte)'R', data[at + call.Length + 5]);

        PyTorchStateDict.Load(target, path);
        StateDictAssert.Identical(source, target);
    }

    private string WritePairsForm(nn.Module source) =>
        WriteArchive("pairs", (pickle, storages) =>
        {
            pickle.WriteGlobal("collections", "OrderedDict");
            pickle.Mark();
            pickle.EmptyList();
            pickle.Mark();
            foreach (var (key, tensor) in source.state_dict())
            {
                pickle.Mark();
                pickle.WriteString(key);
                storages.WriteTensor(tensor, requiresGrad: false);
                pickle.Tuple();
            }
            pickle.Appends();
            pickle.Tuple();
            pickle.Reduce();
        });

    private string WriteForeignCall() =>
        WriteArchive("foreign", (pickle, _) =>
        {
            pickle.WriteGlobal("posix", "system");
            pickle.Mark();
            pickle.WriteString("echo owned");
            pickle.Tuple();
            pickle.Reduce();
        });

    [Fact]
    public void OrderedDict_called_with_a_list_of_key_tensor_pairs_loads()
    {
        torch.manual_seed(43);
        using var source = nn.Linear(3, 2);
        string path = WritePairsForm(source);
        torch.manual_seed(44);
        using var target = nn.Linear(3, 2);
        StateDictAssert.SomeTensorDiffers(source, target);

        PyTorchStateDict.Load(target, path);
        StateDictAssert.Identical(source, target);
    }

    [Fact]
    public void A_pickle_that_calls_anything_else_is_refused_by_name_and_changes_nothing()
    {
        string path = WriteForeignCall();
        using var target = nn.Linear(3, 2);
        var before = target.weight!.clone();
        var error = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Load(target, path));
        Assert.Contains("data.pkl calls posix.system, which a state_dict file does not need", error.Message);
        Assert.Contains("refusing to interpret it", error.Message);
        Assert.True(target.weight!.eq(before).all().item<bool>(), "a refused file changed the weights");
    }

    [Fact]
    public void OrderedDict_called_with_something_that_is_not_pairs_is_refused_with_what_it_got()
    {
        string path = WriteArchive("odd", (pickle, _) =>
        {
            pickle.WriteGlobal("collections", "OrderedDict");
            pickle.Mark();
            pickle.WriteInt(7);
            pickle.Tuple();
            pickle.Reduce();
        });
        var error = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Load(nn.Linear(3, 2), path));
        Assert.Contains("calls collections.OrderedDict with an integer", error.Message);
        Assert.Contains("it takes nothing, a dict, or a sequence of (key, value) pairs", error.Message);
    }

    [Fact]
    public void PyTorch_weights_only_torch_load_agrees_on_the_same_files()
    {
        string python = PythonTorch.Require();
        torch.manual_seed(45);
        using var source = nn.Linear(3, 2);
        string pybridge = Path.Combine(_directory, "pybridge.pt");
        source.save_py(pybridge);
        string output = PythonTorch.Run(python, """
            import sys, torch
            for path in sys.argv[1:3]:
                state = torch.load(path, weights_only=True)
                print(type(state).__name__, list(state), [list(t.shape) for t in state.values()])
            try:
                torch.load(sys.argv[3], weights_only=True)
                print("foreign loaded")
            except Exception:
                print("foreign refused")
            """, pybridge, WritePairsForm(source), WriteForeignCall());
        Assert.Equal(
            ["dict ['weight', 'bias'] [[2, 3], [2]]", "OrderedDict ['weight', 'bias'] [[2, 3], [2]]", "foreign refused"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
