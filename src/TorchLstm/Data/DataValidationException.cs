namespace TorchLstm.Data;

/// <summary>
/// Thrown when input data (a CSV file, a DataFrame column, a cell) cannot be used as it is.
/// The message says what was wrong, where (column, data row, file line) and what is accepted.
/// </summary>
public sealed class DataValidationException : Exception
{
    /// <summary>Creates the exception with a message and, when known, the offending column and row.</summary>
    /// <param name="message">What was wrong, where, and what is accepted.</param>
    /// <param name="column">Name of the offending column, or null when the problem is not tied to one.</param>
    /// <param name="row">1-based data row (the header is not counted), or null when not tied to one.</param>
    public DataValidationException(string message, string? column = null, long? row = null)
        : base(message)
    {
        Column = column;
        Row = row;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public DataValidationException() : this("the data is not valid") { }

    /// <summary>Creates the exception wrapping another.</summary>
    public DataValidationException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Name of the offending column, or null when the problem is not tied to one column.</summary>
    public string? Column { get; }

    /// <summary>1-based data row (the header row is not counted), or null when not tied to one row.</summary>
    public long? Row { get; }
}
