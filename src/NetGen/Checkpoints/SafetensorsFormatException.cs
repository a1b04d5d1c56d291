using System;
using System.IO;

namespace NetGen;

/// <summary>
/// A safetensors file that cannot be read: truncated, an absurd or out-of-range header length, a header that is
/// not UTF-8 JSON of the expected form, an unsupported dtype, a shape that does not match the tensor's bytes,
/// tensors that overlap, leave gaps or share a name. The message names the file, the tensor (when there is one)
/// and says what was expected.
/// </summary>
/// <remarks>
/// It is an <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so one
/// <c>catch (IOException)</c> handles both a missing and a malformed checkpoint.
/// </remarks>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file (or the source name given to the reader) that is wrong.</param>
    /// <param name="message">What was expected and what was found; should name the file.</param>
    /// <param name="innerException">The underlying error (e.g. a JSON syntax error), if any.</param>
    public SafetensorsFormatException(string filePath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The path of the file that is wrong, or the source name given to the reader.</summary>
    public string FilePath { get; }
}
