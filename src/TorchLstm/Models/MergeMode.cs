namespace TorchLstm.Models;

/// <summary>
/// How a bidirectional layer combines its forward and backward outputs, as Keras
/// <c>Bidirectional(merge_mode=...)</c> does.
/// </summary>
public enum MergeMode
{
    /// <summary>Concatenate forward then backward features: the merged size is twice the hidden size (Keras <c>"concat"</c>).</summary>
    Concat,

    /// <summary>Elementwise sum of the two directions (Keras <c>"sum"</c>).</summary>
    Sum,

    /// <summary>Elementwise mean of the two directions (Keras <c>"ave"</c>).</summary>
    Average,

    /// <summary>Elementwise product of the two directions (Keras <c>"mul"</c>).</summary>
    Multiply,
}
