using System.Collections.Generic;

namespace NetGen.Fuzz;

/// <summary>One reader under fuzzing.</summary>
internal interface ITarget
{
    /// <summary>Reads <paramref name="input"/>; throws (a crash for afl) when the reader misbehaves.</summary>
    void Run(byte[] input);

    /// <summary>The starting corpus: file names and contents, made from the real files under <paramref name="repository"/>.</summary>
    IEnumerable<(string Name, byte[] Bytes)> Seeds(string repository);
}
