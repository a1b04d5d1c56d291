// Classifies pictures of handwritten digits with LeNet-5, whose weights NetGen baked into the program at compile
// time (lenet5.safetensors, trained by samples/LeNet). Published with Native AOT it is one self-contained file that
// needs nothing beside it: see README.md for the commands and the measured start-up, size and latency.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using NetGen;
using NetGen.Samples;

namespace LeNet.Classify;

internal static class Program
{
    private const string Usage = """
        usage: LeNet.Classify [options] FILE...

        Classifies each picture with LeNet-5 (weights baked in from lenet5.safetensors) and prints one line per
        image: '<file>: <class> (p=<probability>)'. A FILE is a PGM (P2 or P5) or PNG picture of one digit, of any
        size, dark on light or light on dark; or an IDX image file (MNIST's idx3-ubyte, raw or .gz), which prints
        '<file>[<index>]: ...' for each of its images.

        options:
          -p, --probabilities   after each line, the ten class probabilities
          --labels FILE         IDX labels for the IDX images: print the accuracy at the end
          --limit N             classify at most N images of each IDX file (N ≥ 1)
          --benchmark [N]       time N batch-1 predictions (default 20000) of the first image; print the median
          --path PATH           kernels to run: auto (default), scalar, vector256 or vector512
          --info                print the network, its weights and how this program runs, then exit
          --verbose             with an error, also print its stack trace (as does NETGEN_VERBOSE=1)
          -h, --help            print this text

        A FILE that cannot be read prints 'error: <why>' on stderr; the others are still classified.

        """ + ExitCodes.Description + "\n";

    public static int Main(string[] args)
    {
        bool verbose = SampleErrors.VerboseFromEnvironment || Array.IndexOf(args, "--verbose") >= 0;
        try
        {
            return Run(args, verbose);
        }
#pragma warning disable CA1031 // The top of the program: every exception becomes an error line and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return SampleErrors.Report(e, verbose);
        }
    }

    private static int Run(string[] args, bool verbose)
    {
        bool probabilities = false, info = false;
        string? labelsPath = null;
        int limit = int.MaxValue, benchmark = 0;
        KernelPath path = KernelPath.Auto;
        var files = new System.Collections.Generic.List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-p" or "--probabilities":
                    probabilities = true;
                    break;
                case "--labels":
                    labelsPath = Value(args, ref i, "a labels file");
                    break;
                case "--limit":
                    limit = Count(arg, Value(args, ref i, "a number of images"));
                    break;
                case "--benchmark":
                    // N is optional: a next argument that reads as a number is N (and must be ≥ 1), anything else a FILE.
                    benchmark = 20_000;
                    if (i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    {
                        benchmark = Count(arg, args[++i]);
                    }

                    break;
                case "--path":
                    string name = Value(args, ref i, "a kernel path");
                    path = name.ToLowerInvariant() switch
                    {
                        "auto" => KernelPath.Auto,
                        "scalar" => KernelPath.Scalar,
                        "vector256" => KernelPath.Vector256,
                        "vector512" => KernelPath.Vector512,
                        _ => throw new OptionException(arg, $"expected one of auto, scalar, vector256, vector512, got '{name}'"),
                    };
                    break;
                case "--info":
                    info = true;
                    break;
                case "--verbose":
                    break;
                case "-h" or "--help":
                    Console.Out.Write(Usage);
                    return ExitCodes.Success;
                default:
                    if (arg.StartsWith('-') && arg.Length > 1)
                    {
                        throw new OptionException(arg, "unknown option (see --help)");
                    }

                    files.Add(arg);
                    break;
            }
        }

        var net = new LeNet5 { KernelPath = path };
        if (info)
        {
            PrintInfo(net);
            return ExitCodes.Success;
        }

        if (files.Count == 0 && benchmark == 0)
        {
            return SampleErrors.Usage("expected a FILE to classify (see --help)");
        }

        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        try
        {
            return benchmark > 0 ? Benchmark(net, files, benchmark, output) : Classify(net, files, probabilities, labelsPath, limit, output, verbose);
        }
        finally
        {
            output.Flush();
        }
    }

    /// <summary>The value after option <c>args[i]</c> (and moves past it); an option at the end has none.</summary>
    private static string Value(string[] args, ref int i, string what) =>
        i + 1 < args.Length ? args[++i] : throw new OptionException(args[i], $"expected {what} after it (see --help)");

    /// <summary>A count for <paramref name="option"/>: an integer ≥ 1.</summary>
    private static int Count(string option, string given) =>
        int.TryParse(given, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && Bounds.AtLeast(1).Contains(n)
            ? n
            : throw new OptionException(option, Bounds.AtLeast(1).Expected(integer: true, given));

    private static int Classify(LeNet5 net, System.Collections.Generic.List<string> files, bool probabilities, string? labelsPath, int limit, StreamWriter output, bool verbose)
    {
        // A labels file that cannot be read is a bad input (exit 3) before any image is classified.
        int[]? labels = labelsPath is null ? null : Idx.ReadLabels(labelsPath);
        Span<float> logits = stackalloc float[LeNet5.OutputSize];
        Span<float> p = stackalloc float[LeNet5.OutputSize];
        int failed = 0, labelled = 0, correct = 0;
        foreach (string file in files)
        {
            try
            {
                if (IsIdx(file))
                {
                    IdxImages images = Idx.ReadImages(file);
                    if (images.Rows != Digit.Side || images.Columns != Digit.Side)
                    {
                        throw new ImageFormatException($"'{file}' holds {images.Rows} × {images.Columns} images; LeNet-5 takes 28 × 28.");
                    }

                    int count = Math.Min(images.Count, limit);
                    for (int i = 0; i < count; i++)
                    {
                        int predicted = Predict(net, images.Pixels.AsSpan(i * LeNet5.InputSize, LeNet5.InputSize), logits, p);
                        Write(output, $"{file}[{i}]", predicted, p, probabilities);
                        if (labels is not null && i < labels.Length)
                        {
                            labelled++;
                            correct += predicted == labels[i] ? 1 : 0;
                        }
                    }
                }
                else
                {
                    float[] digit = Digit.Normalize(Images.Read(file));
                    Write(output, file, Predict(net, digit, logits, p), p, probabilities);
                }
            }
            catch (Exception e) when (SampleErrors.ExitCode(e) == ExitCodes.BadInput)
            {
                // One line for this file (its message names it); the other files are still classified.
                output.Flush();
                SampleErrors.Report(e, verbose);
                failed++;
            }
        }

        if (labels is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {(labelled == 0 ? 0 : (double)correct / labelled):F4} ({correct}/{labelled})"));
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.BadInput;
    }

    private static int Predict(LeNet5 net, ReadOnlySpan<float> image, Span<float> logits, Span<float> probabilities)
    {
        net.Predict(image, logits);
        Digit.Softmax(logits, probabilities);
        return Digit.ArgMax(probabilities);
    }

    private static void Write(StreamWriter output, string name, int predicted, ReadOnlySpan<float> probabilities, bool all)
    {
        output.WriteLine($"{name}: {predicted} (p={Digit.Probability(probabilities[predicted])})");
        if (all)
        {
            output.WriteLine("  " + Digit.ProbabilityList(probabilities));
        }
    }

    /// <summary>IDX image files start with 00 00 08 03; gzip (for .gz IDX) with 1F 8B. Pictures start otherwise.</summary>
    private static bool IsIdx(string file)
    {
        Span<byte> head = stackalloc byte[4];
        using FileStream stream = File.OpenRead(file);
        int read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        return (read >= 2 && head[0] == 0x1F && head[1] == 0x8B) || (read == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && head[3] == 0x03);
    }

    /// <summary>
    /// Median wall time of one <c>Predict</c> call over <paramref name="calls"/> calls after 2,000 untimed ones, on
    /// the first image given (or a blank one): the figure README.md compares between the AOT binary and the JIT.
    /// </summary>
    private static int Benchmark(LeNet5 net, System.Collections.Generic.List<string> files, int calls, StreamWriter output)
    {
        float[] image = new float[LeNet5.InputSize];
        if (files.Count > 0)
        {
            if (IsIdx(files[0]))
            {
                Idx.ReadImages(files[0]).Pixels.AsSpan(0, LeNet5.InputSize).CopyTo(image);
            }
            else
            {
                image = Digit.Normalize(Images.Read(files[0]));
            }
        }

        Span<float> logits = stackalloc float[LeNet5.OutputSize];
        for (int i = 0; i < 2000; i++)
        {
            net.Predict(image, logits);
        }

        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            net.Predict(image, logits);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(times);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batch-1 latency: median {times[calls / 2]:F2} us, p10 {times[calls / 10]:F2} us, p90 {times[calls * 9 / 10]:F2} us over {calls} calls ({Kernels.Resolve(net.KernelPath)}, {RuntimeName()})"));
        return ExitCodes.Success;
    }

    private static void PrintInfo(LeNet5 net)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"network: LeNet-5, {LeNet5.ParameterCount:N0} parameters in {net.Layers.Count} layers"));
        Console.WriteLine($"weights: baked in at compile time from lenet5.safetensors (sha256 {LeNet5.BakedWeightsSha256})");
        Console.WriteLine($"kernels: {Kernels.Resolve(net.KernelPath)} (Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated})");
        Console.WriteLine($"runtime: .NET {Environment.Version}, {RuntimeName()}");
    }

    // Not RuntimeFeature.IsDynamicCodeSupported: PublishAot turns that switch off in JIT runs too, to match AOT behaviour.
    private static string RuntimeName() => System.Runtime.JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "Native AOT";
}
