// Shared by the samples (compiled into each with <Compile Include="../Common/..." />).
using System;
using System.IO;
using System.Linq;

namespace NetGen.Samples;

/// <summary>
/// What a sample does with an exception that reaches its top: one line <c>error: &lt;message&gt;</c> on stderr (the
/// stack trace only with <c>--verbose</c> or <see cref="ExitCodes.VerboseVariable"/>=1) and the exit code of
/// its kind (<see cref="ExitCodes"/>).
/// </summary>
internal static class SampleErrors
{
    /// <summary>The problems of a checkpoint mismatch listed on the error line; --verbose lists them all.</summary>
    private const int ProblemsShown = 3;

    /// <summary>Whether <see cref="ExitCodes.VerboseVariable"/> asks for stack traces (1 or true).</summary>
    public static bool VerboseFromEnvironment =>
        Environment.GetEnvironmentVariable(ExitCodes.VerboseVariable) is string value
        && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The exit code for <paramref name="error"/>: its kind, not its text.</summary>
    public static int ExitCode(Exception error) => error switch
    {
        // Before IOException: OutputPathException is one, and a path to write is an option the user gave.
        OutputPathException or ArgumentException => ExitCodes.Usage,
        TrainingDivergedException => ExitCodes.Diverged,
        IOException or UnauthorizedAccessException or InvalidDataException => ExitCodes.BadInput,
        _ => ExitCodes.Unexpected,
    };

    /// <summary>
    /// Writes <c>error: &lt;message&gt;</c> (one line), then with <paramref name="verbose"/> the whole exception with
    /// its stack trace, to stderr; returns the exit code.
    /// </summary>
    public static int Report(Exception error, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(error);
        int code = ExitCode(error);
        Console.Out.Flush();
        Console.Error.WriteLine("error: " + OneLine(error, code, verbose));
        if (verbose)
        {
            Console.Error.WriteLine(error.ToString());
        }

        return code;
    }

    /// <summary>Writes <c>error: &lt;message&gt;</c> for a problem found without an exception (a bad option); returns <see cref="ExitCodes.Usage"/>.</summary>
    public static int Usage(string message)
    {
        Console.Out.Flush();
        Console.Error.WriteLine("error: " + Flatten(message));
        return ExitCodes.Usage;
    }

    /// <summary>The message on one line: a checkpoint mismatch with its first problems, an unexpected error with its type.</summary>
    private static string OneLine(Exception error, int code, bool verbose)
    {
        if (error is CheckpointMismatchException mismatch && mismatch.Problems.Count > 0)
        {
            string head = Flatten(mismatch.Message.Split('\n')[0]);
            string shown = string.Join("; ", mismatch.Problems.Take(ProblemsShown));
            int more = mismatch.Problems.Count - ProblemsShown;
            return head + " " + shown + (more > 0 ? $"; and {more} more{(verbose ? string.Empty : " (--verbose lists them all)")}" : string.Empty);
        }

        string message = Flatten(error.Message);
        return code == ExitCodes.Unexpected
            ? $"{error.GetType().Name}: {message} (unexpected: a bug in the sample or in NetGen{(verbose ? string.Empty : "; --verbose shows where")})"
            : message;
    }

    /// <summary>Lines joined with spaces, indentation dropped.</summary>
    private static string Flatten(string text) =>
        string.Join(' ', text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));
}
