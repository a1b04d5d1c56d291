using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace NetGen.Fuzz;

/// <summary>
/// The generator's baked-weights parser (<c>NetGen.Generators.Weights.SafetensorsParser.Parse</c>, internal to the
/// generator, reached by reflection so the real assembly is fuzzed). It must never throw, and it must agree with
/// the runtime's reader, whose rules it follows: both accept (the same names, dtypes, shapes and offsets) or both reject.
/// </summary>
internal sealed class ParserTarget : ITarget
{
    private static readonly MethodInfo Parse = Assembly.Load("NetGen.Generators")
        .GetType("NetGen.Generators.Weights.SafetensorsParser", throwOnError: true)!
        .GetMethod("Parse", BindingFlags.Public | BindingFlags.Static)!;

    public void Run(byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        object?[] args = [input, null, null];
        string? error;
        try
        {
            error = (string?)Parse.Invoke(null, args);
        }
        catch (TargetInvocationException e)
        {
            throw new InvalidOperationException($"the parser threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}", e.InnerException);
        }

        Limits.CheckAllocation("SafetensorsParser.Parse", GC.GetAllocatedBytesForCurrentThread() - before, Limits.Overhead + (16L * input.Length));
        SafetensorsFile? runtime;
        try
        {
            runtime = SafetensorsFile.Read(input, "fuzz-input");
        }
        catch (SafetensorsFormatException)
        {
            runtime = null;
        }

        if ((error is null) != (runtime is not null))
        {
            throw new InvalidOperationException(
                error is null ? "the parser accepted what the runtime rejects." : $"the parser rejected what the runtime reads: {error}");
        }

        if (runtime is not null)
        {
            Compare((IList)args[1]!, runtime, (int)args[2]!, input.Length);
        }
    }

    public IEnumerable<(string Name, byte[] Bytes)> Seeds(string repository) => SafetensorsSeeds.All(repository);

    private static void Compare(IList entries, SafetensorsFile runtime, int dataStart, int length)
    {
        if (entries.Count != runtime.Tensors.Count)
        {
            throw new InvalidOperationException($"the parser found {entries.Count} tensors; the runtime {runtime.Tensors.Count}.");
        }

        for (int i = 0; i < entries.Count; i++)
        {
            object entry = entries[i]!;
            Type type = entry.GetType();
            string name = (string)type.GetProperty("Name")!.GetValue(entry)!;
            string dtype = (string)type.GetProperty("DType")!.GetValue(entry)!;
            var shape = new List<int>();
            foreach (object d in (IEnumerable)type.GetProperty("Shape")!.GetValue(entry)!)
            {
                shape.Add((int)d);
            }

            int begin = (int)type.GetProperty("Begin")!.GetValue(entry)!;
            int end = (int)type.GetProperty("End")!.GetValue(entry)!;
            SafetensorsTensor t = runtime.Tensors[i];
            if (name != t.Name || dtype != t.DType.ToString() || !shape.SequenceEqual(t.Shape)
                || begin < 0 || end < begin || dataStart + end > length)
            {
                throw new InvalidOperationException(
                    $"tensor {i}: the parser read '{name}' {dtype} [{string.Join(",", shape)}] [{begin}, {end}); the runtime '{t.Name}' {t.DType} [{string.Join(",", t.Shape)}].");
            }
        }
    }
}
