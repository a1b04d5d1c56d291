using System;
using System.Collections.Generic;
using System.IO;

namespace NetGen;

/// <summary>
/// A well-formed checkpoint that does not fit the network in a strict <see cref="Checkpoint.Load"/>: tensors
/// missing from the file, tensors of the wrong shape or dtype, or tensors the network does not have. The message
/// names the file and lists every problem, one per line; the network is left unchanged.
/// </summary>
/// <remarks>
/// It is an <see cref="IOException"/>, so one <c>catch (IOException)</c> around a load handles a missing file, a
/// malformed one (<see cref="SafetensorsFormatException"/>) and one saved from another network.
/// </remarks>
public sealed class CheckpointMismatchException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The checkpoint file.</param>
    /// <param name="problems">One line per problem, e.g. <c>dense4.bias: missing from the file</c>.</param>
    public CheckpointMismatchException(string filePath, IReadOnlyList<string> problems)
        : base(Format(filePath, problems))
    {
        FilePath = filePath;
        Problems = problems;
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>Every problem, one line each, as listed in the message.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string filePath, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        string count = problems.Count == 1 ? "1 problem" : $"{problems.Count} problems";
        return $"'{filePath}' does not match the network ({count}; the network was left unchanged):"
            + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems);
    }
}
