using System;
using System.IO;
using SharpFuzz;

namespace NetGen.Fuzz;

/// <summary>
/// The fuzzing harness. <c>NetGen.Fuzz TARGET</c> runs one target under afl-fuzz (its input arrives on stdin
/// or through afl's shared memory; outside afl it runs once on stdin, which replays a crash file);
/// <c>NetGen.Fuzz seeds TARGET FOLDER REPO</c> writes the target's starting corpus, made from the repository's
/// real files. A target crashes (and afl records the input) on any exception but the reader's documented
/// format error, and on an allocation far beyond the input's size.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 1 && Targets.TryGet(args[0], out ITarget? target))
        {
            Fuzzer.Run(stream => target.Run(ReadInput(stream)));
            return 0;
        }

        if (args.Length == 4 && args[0] == "seeds" && Targets.TryGet(args[1], out target))
        {
            Directory.CreateDirectory(args[2]);
            int count = 0;
            foreach ((string name, byte[] bytes) in target.Seeds(args[3]))
            {
                File.WriteAllBytes(Path.Combine(args[2], name), bytes);
                count++;
            }

            Console.WriteLine($"{count} seeds for '{args[1]}' in {args[2]}");
            return 0;
        }

        Console.Error.WriteLine($"usage: NetGen.Fuzz {Targets.Names} < input");
        Console.Error.WriteLine($"       NetGen.Fuzz seeds {Targets.Names} FOLDER REPOSITORY-ROOT");
        return 2;
    }

    /// <summary>The whole input, at most <see cref="Limits.MaxInput"/> bytes (afl's -G keeps it there too).</summary>
    private static byte[] ReadInput(Stream stream)
    {
        using var copy = new MemoryStream();
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0 && copy.Length < Limits.MaxInput)
        {
            copy.Write(buffer, 0, (int)Math.Min(n, Limits.MaxInput - copy.Length));
        }

        return copy.ToArray();
    }
}
