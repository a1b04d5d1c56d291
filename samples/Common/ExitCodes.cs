// Shared by the samples (compiled into each with <Compile Include="../Common/..." />).
namespace NetGen.Samples;

/// <summary>
/// The exit codes of every sample: one set, the same in each, printed by <c>--help</c>
/// (<see cref="Description"/>) and documented in README.md.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The program did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Anything unexpected: a bug in the sample or in NetGen (<c>--verbose</c> shows where).</summary>
    public const int Unexpected = 1;

    /// <summary>A bad option or argument: unknown, missing its value, not a number, out of range, an output path that cannot be written, a device that is not there.</summary>
    public const int Usage = 2;

    /// <summary>A bad input file (data, checkpoint, image): missing, unreadable, malformed, or not matching the network.</summary>
    public const int BadInput = 3;

    /// <summary>Training diverged (the loss or the gradient was not finite).</summary>
    public const int Diverged = 4;

    /// <summary>The environment variable that, set to 1, asks for the stack trace of an error, like <c>--verbose</c>.</summary>
    public const string VerboseVariable = "NETGEN_VERBOSE";

    /// <summary>The exit codes and how to see a stack trace, for the end of <c>--help</c>.</summary>
    public const string Description =
        "Errors print one line 'error: ...' on stderr; --verbose (or " + VerboseVariable + "=1) adds the stack trace. " +
        "Exit codes: 0 success, 2 bad option or argument, 3 bad input file (data, checkpoint, image), 4 training diverged, 1 anything unexpected (a bug).";
}
