using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Xunit;

namespace NetGen.Tests.Samples;

/// <summary>What a run of a sample program printed and returned.</summary>
internal sealed record SampleRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs a sample program, as built beside this test project (the test project references the samples with
/// ReferenceOutputAssembly="false", so they are built first), as a child process: <c>dotnet X.dll args</c>.
/// </summary>
internal static class SampleProgram
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    /// <summary>The repository root (the folder with src/NetGen/NetGen.csproj).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The folder of the 10,000 MNIST digits the samples ship with.</summary>
    public static string DigitsFolder => Path.Combine(RepositoryRoot, "samples", "data", "mnist-10k");

    /// <summary>LeNet.Classify's LeNet-5 checkpoint (trained by samples/LeNet), a valid checkpoint of the plain LeNet-5.</summary>
    public static string LeNetCheckpoint => Path.Combine(RepositoryRoot, "samples", "LeNet.Classify", "lenet5.safetensors");

    /// <summary>Runs <paramref name="sample"/> with <paramref name="args"/>; NETGEN_VERBOSE is unset unless <paramref name="environment"/> sets it.</summary>
    public static SampleRun Run(string sample, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string dll = Dll(sample);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NETGEN_VERBOSE");
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{sample} {string.Join(' ', args)} did not finish within {s_timeout}: it should have stopped before any work.");
        }

        process.WaitForExit();
        return new SampleRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Asserts the samples' error contract: exit code <paramref name="exitCode"/>, stderr exactly one line that starts
    /// with <c>error: </c> and contains each of <paramref name="mentions"/>, and no stack trace.
    /// </summary>
    public static void AssertError(SampleRun run, int exitCode, params string[] mentions)
    {
        Assert.True(run.ExitCode == exitCode, $"expected exit code {exitCode}; {run}");
        string[] lines = run.ErrorLines;
        Assert.True(lines.Length == 1, $"expected exactly one line on stderr; {run}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Stderr, StringComparison.Ordinal);
        foreach (string mention in mentions)
        {
            Assert.True(lines[0].Contains(mention, StringComparison.Ordinal), $"expected the error to mention '{mention}'; {run}");
        }
    }

    /// <summary>Asserts that the run stopped before reading its data: the samples print a "data: ..." line once the images are in.</summary>
    public static void AssertNoDataLoaded(SampleRun run) =>
        Assert.False(run.Stdout.Contains("data:", StringComparison.Ordinal), $"expected to stop before loading the data; {run}");

    /// <summary>Asserts that <c>--verbose</c> (or the variable) added a stack trace after the error line.</summary>
    public static void AssertStackTrace(SampleRun run, int exitCode)
    {
        Assert.True(run.ExitCode == exitCode, $"expected exit code {exitCode}; {run}");
        Assert.StartsWith("error: ", run.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("   at ", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A fresh temporary folder, deleted by the returned handle.</summary>
    public static TemporaryFolder TemporaryFolder() => new(Path.Combine(Path.GetTempPath(), "netgen-samples-" + Guid.NewGuid().ToString("N")[..12]));

    /// <summary>A copy of the shipped digits whose training images are cut short after <paramref name="bytes"/> bytes (a raw IDX file, its .gz removed).</summary>
    public static string TruncatedDigits(string folder, int bytes = 5000)
    {
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(DigitsFolder, "*.gz"))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        string images = Path.Combine(folder, "train-images-idx3-ubyte");
        using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(images + ".gz"), System.IO.Compression.CompressionMode.Decompress))
        {
            byte[] head = new byte[bytes];
            gz.ReadExactly(head);
            File.WriteAllBytes(images, head);
        }

        File.Delete(images + ".gz");
        return images;
    }

    private static string Dll(string sample)
    {
        string configuration = typeof(SampleProgram).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        string dll = Path.Combine(RepositoryRoot, "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: NetGen.Tests.csproj references the samples so that they build first; build the solution in {configuration}.");
        return dll;
    }

    private static string FindRepositoryRoot([CallerFilePath] string thisFile = "")
    {
        foreach (string start in new[] { Path.GetDirectoryName(thisFile) ?? string.Empty, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "src", "NetGen", "NetGen.csproj")))
                {
                    return d.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("The repository root (with src/NetGen/NetGen.csproj) was not found above " + thisFile);
    }
}

/// <summary>A temporary folder, deleted with everything in it on dispose.</summary>
internal sealed class TemporaryFolder(string path) : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(path).FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
