using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class BatchesTests
{
    private static SequenceDataset Dataset(int count)
    {
        var inputs = torch.arange(count, dtype: torch.ScalarType.Float32).reshape(count, 1, 1);
        return new SequenceDataset(inputs, inputs.reshape(count, 1) * 10);
    }

    private static List<float[]> Order(SequenceDataset data, int batchSize, bool shuffle, ulong? seed)
    {
        using var generator = seed is ulong s ? new torch.Generator(s) : null;
        var batches = new List<float[]>();
        foreach (var (inputs, targets) in Batches.Iterate(data, batchSize, shuffle, generator))
        {
            using var scope = torch.NewDisposeScope();
            var x = inputs.reshape(-1).data<float>().ToArray();
            // Each target still belongs to its input after shuffling.
            Assert.Equal(x.Select(v => v * 10), targets.reshape(-1).data<float>().ToArray());
            batches.Add(x);
            inputs.Dispose();
            targets.Dispose();
        }
        return batches;
    }

    [Fact]
    public void Shuffled_batches_cover_each_sample_exactly_once()
    {
        using var data = Dataset(23);
        var batches = Order(data, 5, shuffle: true, seed: 123);
        Assert.Equal(new[] { 5, 5, 5, 5, 3 }, batches.Select(b => b.Length));
        var all = batches.SelectMany(b => b).ToArray();
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (float)i), all.Order());
        Assert.NotEqual(Enumerable.Range(0, 23).Select(i => (float)i), all);
    }

    [Fact]
    public void Shuffling_is_reproducible_from_the_generator_seed()
    {
        using var data = Dataset(40);
        var first = Order(data, 8, true, 5).SelectMany(b => b).ToArray();
        var again = Order(data, 8, true, 5).SelectMany(b => b).ToArray();
        var other = Order(data, 8, true, 6).SelectMany(b => b).ToArray();
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Without_shuffle_batches_keep_the_dataset_order()
    {
        using var data = Dataset(7);
        var batches = Order(data, 3, shuffle: false, seed: null);
        Assert.Equal(new[] { new float[] { 0, 1, 2 }, [3, 4, 5], [6] }, batches);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => Batches.Iterate(data, 0)).ParamName);
        using var mismatched = new SequenceDataset(torch.zeros(5, 2, 1), torch.zeros(4, 1));
        var e = Assert.Throws<ArgumentException>(() => Batches.Iterate(mismatched, 2));
        Assert.Contains("inputs hold 5 samples but targets hold 4", e.Message);
    }
}
