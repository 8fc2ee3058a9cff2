using TorchLstm.Native;

namespace TorchLstm.Cli;

/// <summary>
/// Runs an experiment script's body: loads the native libraries first, and turns a user error into
/// one line on standard error and a non-zero exit code instead of a stack trace.
/// </summary>
public static class ExperimentHost
{
    /// <summary>Exit code for a user error (bad flag, bad CSV, unknown column, bad file).</summary>
    public const int UserErrorExitCode = 2;

    /// <summary>
    /// Runs <paramref name="body"/> with the parsed command line and returns the process exit code.
    /// Set <c>TORCHLSTM_DEBUG=1</c> to see full stack traces.
    /// </summary>
    public static int Run(string[] args, Func<CommandLine, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        bool debug = Environment.GetEnvironmentVariable("TORCHLSTM_DEBUG") == "1";
        try
        {
            NativeLoader.EnsureLoaded();
            return body(new CommandLine(args));
        }
        catch (Exception e) when (!debug && IsUserFacing(e))
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return UserErrorExitCode;
        }
    }

    /// <summary>Exceptions whose message is written for the user; anything else is a bug and keeps its trace.</summary>
    private static bool IsUserFacing(Exception e) => e is not (NullReferenceException or IndexOutOfRangeException
        or InvalidCastException or AccessViolationException or StackOverflowException or OutOfMemoryException);

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
