using TorchLstm.Models;

namespace TorchLstm.Experiments;

/// <summary>Builds the stacked model of a cell and direction, so the experiments compare like with like.</summary>
internal static class RecurrentModelFactory
{
    public static StackedRecurrent Create(RecurrentCell cell, bool bidirectional, int inputSize, int[] hiddenSizes, int outputSize, double dropout = 0, WeightInit weightInit = WeightInit.TorchDefault)
    {
        if (bidirectional)
            return new BidirectionalRnn(cell, inputSize, hiddenSizes, outputSize, dropout, weightInit: weightInit);
        return cell switch
        {
            RecurrentCell.Lstm => new StackedLstm(inputSize, hiddenSizes, outputSize, dropout, weightInit: weightInit),
            RecurrentCell.Gru => new StackedGru(inputSize, hiddenSizes, outputSize, dropout, weightInit: weightInit),
            RecurrentCell.Rnn => new StackedRnn(inputSize, hiddenSizes, outputSize, dropout, weightInit: weightInit),
            _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "cell must be Lstm, Gru or Rnn"),
        };
    }

    /// <summary>Number of parameter elements, counted directly from the module.</summary>
    public static long CountParameters(StackedRecurrent model) => model.parameters().Sum(p => p.numel());
}
