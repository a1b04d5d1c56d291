using System;
using System.IO;
using System.Linq;
using System.Reflection;
using TorchSharp;

namespace NetGen.Reference;

/// <summary>
/// The PyTorch oracle: <c>dotnet run -c Release --project tests/NetGen.Reference -- --out tests/NetGen.Tests/Reference/Data</c>
/// writes one safetensors file per case of <see cref="Cases"/> (optionally only <c>--only NAME</c>), computed by
/// libtorch through TorchSharp on one thread.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string? output = null, only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--only" when i + 1 < args.Length:
                    only = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"error: unknown argument '{args[i]}'. Usage: --out DIRECTORY [--only CASE]");
                    return 2;
            }
        }

        if (output is null)
        {
            Console.Error.WriteLine("error: --out DIRECTORY is required (the tests read tests/NetGen.Tests/Reference/Data).");
            return 2;
        }

        if (!Directory.Exists(output))
        {
            Console.Error.WriteLine($"error: --out: the directory '{Path.GetFullPath(output)}' does not exist.");
            return 2;
        }

        var cases = Cases.All.Where(c => only is null || c.Name == only).ToList();
        if (cases.Count == 0)
        {
            Console.Error.WriteLine($"error: --only: no case is named '{only}'; the cases: {string.Join(", ", Cases.All.Select(c => c.Name))}.");
            return 2;
        }

        torch.set_num_threads(1);
        string version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        string generator = "TorchSharp " + version.Split('+')[0] + " (libtorch CPU, float32, 1 thread)";
        foreach (ReferenceCase c in cases)
        {
            string path = Path.Combine(output, c.Name + ".safetensors");
            CaseRunner.Run(c, generator).Save(path);
            Console.WriteLine($"{path}: {new FileInfo(path).Length} bytes ({c.Description})");
        }

        return 0;
    }
}
