namespace TorchLstm.NotebookRunner;

/// <summary>
/// A notebook failed: a cell did not compile, threw, or asked for something the runner cannot provide.
/// The message names the notebook, the cell and, where known, the line.
/// </summary>
public sealed class NotebookExecutionException : Exception
{
    /// <summary>Creates the exception with a message that already names the notebook and cell.</summary>
    public NotebookExecutionException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure inside the cell.</summary>
    public NotebookExecutionException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception for a failure located in a cell.</summary>
    public NotebookExecutionException(string notebookName, int cellNumber, int? line, string message, Exception? inner = null)
        : base(message, inner)
    {
        NotebookName = notebookName;
        CellNumber = cellNumber;
        Line = line;
    }

    /// <summary>The notebook's file name, when the failure is in a cell.</summary>
    public string? NotebookName { get; }

    /// <summary>1-based cell number (counting all cells), when the failure is in a cell.</summary>
    public int? CellNumber { get; }

    /// <summary>1-based line within the cell, when known.</summary>
    public int? Line { get; }
}
