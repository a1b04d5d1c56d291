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
    public static void WriteAtomically(string path, Action<FileStream> write, int bufferSize = 1 << 16)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string temporary = TemporaryPathFor(target);
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
            string message = $"Cannot write '{path}': {Describe(e, temporary, target)}.";
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
