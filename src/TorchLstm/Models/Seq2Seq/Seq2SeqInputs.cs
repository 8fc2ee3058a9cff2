using TorchLstm.Data.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>Boundary checks of <see cref="Seq2SeqAttention"/>'s inputs and the packed training format.</summary>
internal static class Seq2SeqInputs
{
    private const string Model = nameof(Seq2SeqAttention);

    internal static Tensor Pack(Tensor sourceIds, Tensor targetIds)
    {
        CheckIntegerMatrix(sourceIds, "source ids", nameof(sourceIds));
        CheckIntegerMatrix(targetIds, "target ids", nameof(targetIds));
        if (sourceIds.shape[0] != targetIds.shape[0])
            throw new ArgumentException(
                $"{Model} needs one target per source, but there are {sourceIds.shape[0]} sources and {targetIds.shape[0]} targets.", nameof(targetIds));
        using var scope = NewDisposeScope();
        var header = full(sourceIds.shape[0], 1, sourceIds.shape[1], ScalarType.Float32, sourceIds.device);
        return cat([header, sourceIds.to(ScalarType.Float32), targetIds.to(ScalarType.Float32, sourceIds.device)], 1)
            .MoveToOuterDisposeScope();
    }

    /// <summary>Splits and checks a tensor made by <see cref="Pack"/>; returns int64 source and target ids.</summary>
    internal static (Tensor Source, Tensor Target) Unpack(Tensor packed, Seq2SeqAttention model)
    {
        ArgumentNullException.ThrowIfNull(packed);
        const string param = "packedInputs";
        if (packed.dim() != 2 || packed.shape[1] < 3 || packed.shape[0] == 0)
            throw new ArgumentException(
                $"{Model}.forward expects the packed tensor (batch, 1 + sourceLength + targetLength) made by PackInputs, but got shape {ModelArguments.Shape(packed)}.", param);
        if (packed.is_complex() || packed.dtype == ScalarType.Bool)
            throw new ArgumentException($"{Model}.forward expects float or integer packed ids, but got dtype {packed.dtype}.", param);
        if (packed.is_floating_point() && !packed.isfinite().all().item<bool>())
            throw new ArgumentException($"{Model}.forward got NaN or infinite values in the packed ids; ids must be whole numbers.", param);
        if (packed.is_floating_point() && !packed.eq(packed.round()).all().item<bool>())
            throw new ArgumentException($"{Model}.forward got fractional values in the packed ids; ids must be whole numbers (pack with PackInputs).", param);
        var ids = packed.to(ScalarType.Int64);
        var header = ids.select(1, 0);
        long sourceLength = header[0].item<long>();
        if (!header.eq(sourceLength).all().item<bool>() || sourceLength < 1 || sourceLength > packed.shape[1] - 2)
            throw new ArgumentException(
                $"{Model}.forward: column 0 of the packed tensor must hold the source length, the same in every row and in [1, {packed.shape[1] - 2}], " +
                $"but row 0 says {sourceLength}; build the tensor with PackInputs.", param);
        var source = ids.narrow(1, 1, sourceLength);
        var target = ids.narrow(1, 1 + sourceLength, packed.shape[1] - 1 - sourceLength);
        CheckSource(source, model, param);
        CheckTarget(target, source.shape[0], model, param);
        return (source, target);
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
