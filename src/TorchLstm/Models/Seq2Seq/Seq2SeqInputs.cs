using TorchLstm.Data.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>Boundary checks of <see cref="Seq2SeqAttention"/>'s source and target ids.</summary>
internal static class Seq2SeqInputs
{
    private const string Model = nameof(Seq2SeqAttention);

    /// <summary>Dataset-level checks before training: integer id matrices with one target per source (ranges are checked per batch by forward).</summary>
    internal static void CheckIds(Tensor sourceIds, Tensor targetIds, string paramName)
    {
        CheckIntegerMatrix(sourceIds, "source ids", paramName);
        CheckIntegerMatrix(targetIds, "target ids", paramName);
        if (sourceIds.shape[0] != targetIds.shape[0])
            throw new ArgumentException(
                $"{Model} needs one target per source, but there are {sourceIds.shape[0]} sources and {targetIds.shape[0]} targets.", paramName);
    }

    internal static void CheckSource(Tensor sourceIds, Seq2SeqAttention model, string paramName)
    {
        CheckIntegerMatrix(sourceIds, "source ids", paramName);
        ModelArguments.MatchesParameters(sourceIds, model, Model, paramName, checkDtype: false);
        using var scope = NewDisposeScope();
        CheckRange(sourceIds, model.Options.SourceVocabSize, "source", paramName);
        var real = sourceIds.ne(SpecialTokens.PadId);
        var empty = real.any(1).logical_not();
        if (empty.any().item<bool>())
            throw new ArgumentException(
                $"{Model} source row {empty.nonzero()[0, 0].item<long>()} is all padding; every source needs at least one real token.", paramName);
        if (sourceIds.shape[1] > 1)
        {
            // Padding must be trailing: a real token after a padding id would be hidden from the encoder.
            var gap = real.narrow(1, 1, real.shape[1] - 1).logical_and(real.narrow(1, 0, real.shape[1] - 1).logical_not());
            if (gap.any().item<bool>())
            {
                var where = gap.nonzero()[0];
                throw new ArgumentException(
                    $"{Model} source row {where[0].item<long>()} has a real token at position {where[1].item<long>() + 1} after padding; " +
                    "pad sources at the end only (id 0), as Vocabulary.EncodeBatch does.", paramName);
            }
        }
    }

    internal static void CheckTarget(Tensor targetIds, long batch, Seq2SeqAttention model, string paramName)
    {
        CheckIntegerMatrix(targetIds, "target ids", paramName);
        ModelArguments.MatchesParameters(targetIds, model, Model, paramName, checkDtype: false);
        if (targetIds.shape[0] != batch)
            throw new ArgumentException(
                $"{Model} needs one target per source, but there are {batch} sources and {targetIds.shape[0]} targets.", paramName);
        using var scope = NewDisposeScope();
        CheckRange(targetIds, model.Options.TargetVocabSize, "target", paramName);
    }

    private static void CheckIntegerMatrix(Tensor ids, string what, string paramName)
    {
        ArgumentNullException.ThrowIfNull(ids, paramName);
        if (ids.dim() != 2)
            throw new ArgumentException($"{Model} expects {what} shaped (batch, length) but got rank {ids.dim()} shape {ModelArguments.Shape(ids)}.", paramName);
        if (ids.shape[0] == 0 || ids.shape[1] == 0)
            throw new ArgumentException($"{Model} needs at least one row and one position of {what}, but got shape {ModelArguments.Shape(ids)}.", paramName);
        if (ids.is_floating_point() || ids.is_complex() || ids.dtype == ScalarType.Bool)
            throw new ArgumentException(
                $"{Model} expects {what} of an integer dtype (Int64 preferred) but got {ids.dtype}; convert with .to(ScalarType.Int64).", paramName);
    }

    private static void CheckRange(Tensor ids, int vocabSize, string side, string paramName)
    {
        long min = ids.min().to(ScalarType.Int64).item<long>();
        long max = ids.max().to(ScalarType.Int64).item<long>();
        if (min < 0 || max >= vocabSize)
        {
            long bad = min < 0 ? min : max;
            throw new ArgumentException(
                $"{Model} {side} id {bad} is outside [0, {vocabSize}) ({side} vocabulary of {vocabSize} ids, 0 = padding); " +
                "encode with the vocabulary the model was built for, which maps unknown tokens to <unk> (3).", paramName);
        }
    }
}
