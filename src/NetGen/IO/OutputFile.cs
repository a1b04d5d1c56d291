using System;
using System.IO;

namespace NetGen;

/// <summary>
/// Files the library writes for a user (checkpoints, plots): checked before any work starts, and written
/// atomically. Every message names the path the user gave, never the temporary file.
/// </summary>
public static class OutputFile
{
    /// <summary>
    /// Throws an <see cref="OutputPathException"/> unless a file can be written at <paramref name="path"/>: the
    /// folder exists and accepts a new file, and the path is not a folder. Writes and deletes a probe file;
    /// leaves an existing file at <paramref name="path"/> untouched.
    /// </summary>
    /// <param name="path">The path as the user gave it.</param>
    /// <param name="what">What names it for the user: an option (<c>--save</c>) or a property (<c>TrainingOptions.CheckpointPath</c>).</param>
    public static void CheckWritable(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(what);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new OutputPathException(path ?? string.Empty, what, "expected a file path, got an empty string");
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new OutputPathException(path, what, "it is not a valid file path", e);
        }

        if (Directory.Exists(full))
        {
            throw new OutputPathException(path, what, "it is a folder; expected a file path");
        }

        string folder = Path.GetDirectoryName(full) ?? throw new OutputPathException(path, what, "it has no folder");
        if (!Directory.Exists(folder))
        {
            throw new OutputPathException(path, what, $"the folder '{folder}' does not exist");
        }

        string probe = TemporaryPathFor(full);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException(path, what, $"the folder '{folder}' does not accept new files ({e.Message})", e);
        }
    }

    /// <summary>
    /// Writes a file atomically: <paramref name="write"/> fills a temporary file in the target's folder, which is
    /// flushed to disk and renamed over <paramref name="path"/>. On any failure the temporary file is deleted, an
    /// existing file at <paramref name="path"/> is left as it was, and the error names <paramref name="path"/>.
    /// A reader (or a process killed mid-write) never sees a torn file: only the old or the new one.
    /// </summary>
    /// <remarks>
    /// A process killed between creating its temporary file and the rename leaves that file behind
    /// (<c>.&lt;name&gt;.&lt;32 hex digits&gt;.tmp</c>). Each write first removes such orphans of the same target, so
    /// with one writer at most the file of the last interrupted write remains. A temporary file counts as an orphan
    /// only when no writer holds it open (each writer keeps its own locked until the rename) and it was last
    /// written before this write began, so concurrent writers of the same target never delete each other's.
    /// </remarks>
    public static void WriteAtomically(string path, Action<FileStream> write, int bufferSize = 1 << 16)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string temporary = TemporaryPathFor(target);
        RemoveOrphans(target, DateTime.UtcNow);
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            string message = $"Cannot write '{path}': {Describe(e, temporary, target).TrimEnd('.')}.";
            throw e switch
            {
                DirectoryNotFoundException => new DirectoryNotFoundException(message, e),
                UnauthorizedAccessException => new UnauthorizedAccessException(message, e),
                _ => new IOException(message, e),
            };
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is one of the temporary files this class writes beside a target.</summary>
    public static bool IsTemporaryFile(string fileName) =>
        fileName.StartsWith('.') && fileName.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="fileName"/> is a temporary file of the target named <paramref name="targetName"/>: <c>.&lt;targetName&gt;.&lt;32 hex digits&gt;.tmp</c>.</summary>
    internal static bool IsTemporaryFileOf(string fileName, string targetName)
    {
        const int Hex = 32;
        int prefix = targetName.Length + 2; // '.' + name + '.'
        if (fileName.Length != prefix + Hex + 4
            || fileName[0] != '.'
            || string.CompareOrdinal(fileName, 1, targetName, 0, targetName.Length) != 0
            || fileName[prefix - 1] != '.'
            || !fileName.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in fileName.AsSpan(prefix, Hex))
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Deletes the orphaned temporary files of <paramref name="target"/>: not held open by a writer, last written before <paramref name="before"/>.</summary>
    private static void RemoveOrphans(string target, DateTime before)
    {
        string folder = Path.GetDirectoryName(target) ?? ".";
        string name = Path.GetFileName(target);
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(folder, "." + name + ".*.tmp"))
            {
                if (!IsTemporaryFileOf(Path.GetFileName(candidate), name) || File.GetLastWriteTimeUtc(candidate) >= before)
                {
                    continue;
                }

                try
                {
                    // A live writer holds its file with FileShare.None, so this open fails for it; an orphan's lock
                    // died with its process. DeleteOnClose removes the orphan while we hold it.
                    using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
                    {
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Held by a writer, or already gone: not ours to remove.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Tidying up must never fail a write that succeeded.
        }
    }

    private static string TemporaryPathFor(string fullTarget) =>
        Path.Combine(Path.GetDirectoryName(fullTarget) ?? ".", $".{Path.GetFileName(fullTarget)}.{Guid.NewGuid():N}.tmp");

    // The OS message names whichever path failed; say it of the user's path instead of our temporary one.
    private static string Describe(Exception e, string temporary, string target) =>
        e switch
        {
            DirectoryNotFoundException => $"the folder '{Path.GetDirectoryName(target)}' does not exist",
            UnauthorizedAccessException => $"access to the folder '{Path.GetDirectoryName(target)}' is denied",
            _ => e.Message.Replace(temporary, target, StringComparison.Ordinal),
        };

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error matters more than a temporary file that could not be removed.
        }
    }
}

/// <summary>A path given for a file to write that cannot be written; the message names it and who gave it.</summary>
public sealed class OutputPathException : IOException
{
    /// <summary>Creates the exception.</summary>
    public OutputPathException(string path, string what, string reason, Exception? inner = null)
        : base($"{what}: cannot write '{path}': {reason}.", inner)
    {
        Path = path;
        What = what;
    }

    /// <summary>The path as the user gave it.</summary>
    public string Path { get; }

    /// <summary>The option or property that gave it.</summary>
    public string What { get; }
}
