using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models;

public class ModelValidationTests
{
    public static TheoryData<Func<object>, string, string> BadConstructors => new()
    {
        { () => new StackedLstm(0, [4], 1), "inputSize", "at least 1 (got 0)" },
        { () => new StackedLstm(2, [], 1), "hiddenSizes", "at least one layer" },
        { () => new StackedGru(2, [4, 0], 1), "hiddenSizes", "hiddenSizes[1] must be at least 1 (got 0)" },
        { () => new StackedRnn(2, [4], 0), "outputSize", "outputSize must be at least 1 (got 0)" },
        { () => new StackedLstm(2, [4], 1, dropout: 1.0), "dropout", "[0, 1) (got 1)" },
        { () => new StackedGru(2, [4], 1, dropout: -0.1), "dropout", "[0, 1) (got -0.1)" },
        { () => new StackedRnn(2, [4], 1, dropout: double.NaN), "dropout", "[0, 1) (got NaN)" },
        { () => new BidirectionalRnn((RecurrentCell)7, 2, [4], 1), "cell", "accepted: Lstm, Gru, Rnn" },
        { () => new BidirectionalRnn(RecurrentCell.Lstm, 2, [4], 1, merge: (MergeMode)9), "merge", "accepted: Concat, Sum, Average, Multiply" },
        { () => new SequenceClassifier(1, 4, 4, 2), "vocabSize", "at least 2" },
        { () => new SequenceClassifier(10, 0, 4, 2), "embeddingDim", "at least 1 (got 0)" },
        { () => new SequenceClassifier(10, 4, 0, 2), "hiddenSize", "at least 1 (got 0)" },
        { () => new SequenceClassifier(10, 4, 4, 0), "numClasses", "at least 1 (got 0)" },
        { () => new SequenceClassifier(10, 4, 4, 2, numLayers: 0), "numLayers", "at least 1 (got 0)" },
        { () => new SequenceClassifier(10, 4, 4, 2, dropout: 1.5), "dropout", "[0, 1) (got 1.5)" },
    };

    [Theory]
    [MemberData(nameof(BadConstructors))]
    public void Constructor_nonsense_names_the_parameter_and_the_accepted_range(Func<object> create, string paramName, string message)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(paramName, error.ParamName);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_hidden_sizes_are_rejected()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new StackedLstm(2, null!, 1));
        Assert.Equal("hiddenSizes", error.ParamName);
    }

    public static TheoryData<Func<Tensor>, string> BadSequences => new()
    {
        { () => torch.randn(4, 3), "(batch, time, features=3) but got rank 2 shape [4, 3]" },
        { () => torch.randn(2, 5, 4), "expects 3 features in the last dimension, shape (batch, time, 3), but got shape [2, 5, 4]" },
        { () => torch.randn(2, 0, 3), "at least one sample and one time step but got shape [2, 0, 3]" },
        { () => torch.ones(2, 5, 3, ScalarType.Int64), "floating-point input but got dtype Int64" },
        { () => torch.randn(2, 5, 3, ScalarType.Float64), "has Float32 parameters but the input is Float64" },
    };

    [Theory]
    [MemberData(nameof(BadSequences))]
    public void Forward_rejects_a_sequence_that_does_not_fit(Func<Tensor> input, string message)
    {
        using var model = new BidirectionalRnn(RecurrentCell.Gru, 3, [4], 1);
        using var tensor = input();
        var error = Assert.Throws<ArgumentException>(() => model.call(tensor));
        Assert.Equal("input", error.ParamName);
        Assert.Contains("BidirectionalRnn", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<Func<Tensor>, string> BadTokens => new()
    {
        { () => torch.ones(2, 3, 1, ScalarType.Int64), "(batch, time) but got rank 3 shape [2, 3, 1]" },
        { () => torch.ones(2, 3), "integer token ids (Int64 preferred) but got dtype Float32" },
        { () => torch.tensor(new long[] { 1, 2, 10, 0 }, [2, 2]), "token id 10 is outside [0, 10)" },
        { () => torch.tensor(new long[] { 1, -1, 3, 0 }, [2, 2]), "token id -1 is outside [0, 10)" },
        { () => torch.zeros(0, 4, ScalarType.Int64), "at least one sequence and one step but got shape [0, 4]" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public void Classifier_rejects_tokens_that_do_not_fit(Func<Tensor> input, string message)
    {
        using var model = new SequenceClassifier(10, 4, 3, 2);
        using var tensor = input();
        var error = Assert.Throws<ArgumentException>(() => model.call(tensor));
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
