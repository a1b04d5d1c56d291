using System;
using System.IO;

namespace NetGen;

/// <summary>
/// An IDX file (MNIST / Fashion-MNIST format) that cannot be read: wrong magic number, bad dimensions,
/// truncated or trailing data, or a label file that does not match its image file. The message names the file
/// and says what was expected and what was found.
/// </summary>
/// <remarks>
/// It is an <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so one
/// <c>catch (IOException)</c> handles both a missing and a malformed data file.
/// </remarks>
public sealed class IdxFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file that is wrong.</param>
    /// <param name="message">What was expected and what was found; should name the file.</param>
    /// <param name="innerException">The underlying error (e.g. a corrupt gzip stream), if any.</param>
    public IdxFormatException(string filePath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The path of the file that is wrong.</summary>
    public string FilePath { get; }
}
