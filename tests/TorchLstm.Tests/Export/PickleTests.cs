using TorchLstm.Export.Pickle;

namespace TorchLstm.Tests.Export;

public class PickleTests
{
    private static byte[] Program(Action<PickleWriter> write)
    {
        var writer = new PickleWriter();
        write(writer);
        return writer.Finish();
    }

    private static object? ReadBack(byte[] program) =>
        new PickleReader(program, (g, args) => throw new InvalidOperationException($"unexpected call {g}"), id => throw new InvalidOperationException("unexpected persistent id")).Read();

    [Theory]
    [InlineData(0L, new byte[] { (byte)'K', 0 })]
    [InlineData(255L, new byte[] { (byte)'K', 255 })]
    [InlineData(256L, new byte[] { (byte)'M', 0, 1 })]
    [InlineData(65536L, new byte[] { (byte)'J', 0, 0, 1, 0 })]
    [InlineData(-1L, new byte[] { (byte)'J', 255, 255, 255, 255 })]
    [InlineData(1L << 40, new byte[] { 0x8a, 8, 0, 0, 0, 0, 0, 1, 0, 0 })]
    public void Integers_use_the_smallest_protocol_2_opcode(long value, byte[] expected)
    {
        byte[] program = Program(w => w.WriteInt(value));
        Assert.Equal([0x80, 2, .. expected, (byte)'.'], program);
        Assert.Equal(value, ReadBack(program));
    }

    [Fact]
    public void Floats_are_big_endian_binfloat()
    {
        byte[] program = Program(w => w.WriteFloat(1.5));
        Assert.Equal(new byte[] { 0x80, 2, (byte)'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, (byte)'.' }, program);
    }

    [Fact]
    public void Repeated_strings_and_globals_are_memoized_as_BINGET()
    {
        byte[] program = Program(w =>
        {
            w.Mark();
            w.WriteString("cpu");
            w.WriteString("cpu");
            w.WriteGlobal("torch", "FloatStorage");
            w.WriteGlobal("torch", "FloatStorage");
            w.Tuple();
        });
        // PROTO 2 | MARK | X len "cpu" BINPUT 0 | BINGET 0 | c "torch\nFloatStorage\n" BINPUT 1 | BINGET 1 | TUPLE | STOP
        byte[] expected =
        [
            0x80, 2, (byte)'(', (byte)'X', 3, 0, 0, 0, (byte)'c', (byte)'p', (byte)'u', (byte)'q', 0, (byte)'h', 0,
            (byte)'c', .. "torch\nFloatStorage\n"u8.ToArray(), (byte)'q', 1, (byte)'h', 1, (byte)'t', (byte)'.',
        ];
        Assert.Equal(expected, program);
        var tuple = Assert.IsType<object?[]>(ReadBack(program));
        Assert.Equal("cpu", tuple[0]);
        Assert.Equal(new PickleGlobal("torch", "FloatStorage"), tuple[2]);
    }

    [Fact]
    public void Nested_containers_round_trip_through_the_reader()
    {
        byte[] program = Program(w =>
        {
            w.EmptyDict();
            w.Mark();
            w.WriteString("flags");
            w.EmptyList(); w.Mark(); w.WriteBool(true); w.WriteBool(false); w.WriteNone(); w.Appends();
            w.WriteString("sizes");
            w.Mark(); w.WriteInt(3); w.WriteInt(-70000); w.WriteFloat(0.25); w.Tuple();
            w.WriteString("名前");
            w.EmptyTuple();
            w.SetItems();
        });
        var dict = Assert.IsType<PickleDict>(ReadBack(program));
        Assert.Equal(["flags", "sizes", "名前"], dict.Items.Select(i => i.Key));
        Assert.Equal(new object?[] { true, false, null }, Assert.IsType<List<object?>>(dict.Items[0].Value));
        Assert.Equal(new object?[] { 3L, -70000L, 0.25 }, Assert.IsType<object?[]>(dict.Items[1].Value));
        Assert.Empty(Assert.IsType<object?[]>(dict.Items[2].Value));
    }

    [Fact]
    public void Python_unpickles_what_the_writer_writes()
    {
        string python = PythonTorch.Require();
        byte[] program = Program(w =>
        {
            w.WriteGlobal("collections", "OrderedDict");
            w.EmptyTuple();
            w.Reduce();
            w.Mark();
            w.WriteString("a"); w.WriteInt(1L << 40);
            w.WriteString("b"); w.EmptyList(); w.Mark(); w.WriteBool(true); w.WriteNone(); w.WriteFloat(-2.5); w.Appends();
            w.WriteString("c"); w.Mark(); w.WriteInt(300); w.WriteInt(-5); w.WriteString("a"); w.Tuple();
            w.SetItems();
        });
        string path = Path.Combine(Path.GetTempPath(), $"torchlstm-{Guid.NewGuid():N}.pkl");
        File.WriteAllBytes(path, program);
        try
        {
            string output = PythonTorch.Run(python, "import pickle, sys\nprint(repr(dict(pickle.load(open(sys.argv[1], 'rb')))))", path);
            Assert.Equal("{'a': 1099511627776, 'b': [True, None, -2.5], 'c': (300, -5, 'a')}", output.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Reader_refuses_opcodes_outside_the_subset_with_the_position()
    {
        // 'i' is INST (protocol 0 object creation), which torch never writes.
        var error = Assert.Throws<InvalidDataException>(() => ReadBack([0x80, 2, (byte)'i', (byte)'.']));
        Assert.Contains("byte 2", error.Message);
        Assert.Contains("unsupported pickle opcode 0x69", error.Message);
    }

    [Fact]
    public void Writer_refuses_to_continue_after_STOP()
    {
        var writer = new PickleWriter();
        writer.WriteNone();
        writer.Finish();
        var error = Assert.Throws<InvalidOperationException>(() => writer.WriteInt(1));
        Assert.Contains("finished", error.Message);
    }
}
