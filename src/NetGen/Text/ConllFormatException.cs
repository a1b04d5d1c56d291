using System;
using System.IO;

namespace NetGen;

/// <summary>
/// A CoNLL-style token file that cannot be read: a token line with too few columns, an empty word or tag, or a
/// file with no sentence. The message names the file and line and says what was expected and what was found.
/// </summary>
/// <remarks>An <see cref="IOException"/>, like <see cref="IdxFormatException"/>: one <c>catch (IOException)</c> handles a missing and a malformed data file.</remarks>
public sealed class ConllFormatException : IOException
{
    /// <summary>Creates the exception for line <paramref name="line"/> (1-based; 0 for the file as a whole) of <paramref name="filePath"/>.</summary>
    public ConllFormatException(string filePath, int line, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Line = line;
    }

    /// <summary>The path of the file that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line at fault, or 0 when the file as a whole is (no sentences, a corrupt gzip stream).</summary>
    public int Line { get; }
}
