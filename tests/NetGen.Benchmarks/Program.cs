using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace NetGen.Benchmarks;

/// <summary>
/// Side-by-side benchmark of NetGen's generated networks (LeNet-5, ResNet-8, a stride-2 CNN) against TorchSharp
/// (libtorch CPU) and, for inference, ONNX Runtime.
/// Without <c>--side</c> this is the parent, which runs each side as a child process per round and prints the
/// table; with <c>--side NAME</c> it is a child that measures one side and prints one JSON result line.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "micro")
        {
            // BenchmarkDotNet micro-benchmarks per layer kind and pass (in-process: no TorchSharp involved).
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(
                args[1..], DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)));
            return 0;
        }

        var rounds = new Option<int>("--rounds") { Description = "Rounds; each runs every side once in its own process, alternating the order.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads each side may use.", DefaultValueFactory = _ => 2 };
        var sides = new Option<string>("--sides") { Description = $"Comma-separated sides to run: {string.Join(",", Sides.Names)}.", DefaultValueFactory = _ => string.Join(",", Sides.Names) };
        var optimizer = new Option<string>("--optimizer") { Description = "adamw (lr 1e-3, weight decay 5e-4) or sgd (lr 0.05, momentum 0.9).", DefaultValueFactory = _ => "sgd" };
        optimizer.AcceptOnlyFromAmong([.. SideSettings.Optimizers]);
        var data = new Option<string?>("--data") { Description = $"MNIST-layout IDX folder (default: {BenchOptions.DefaultDataFolder}, found by walking up from the current directory or the program's folder)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the weight initialisation and the data order.", DefaultValueFactory = _ => 42 };
        var trainImages = new Option<int>("--train-images") { Description = "Images in the measured training pass (0: the whole training set).", DefaultValueFactory = _ => 0 };
        var latencyCalls = new Option<int>("--latency-calls") { Description = "Timed batch-1 predict calls.", DefaultValueFactory = _ => 2000 };
        var warmupSeconds = new Option<double>("--warmup-seconds") { Description = "Least warm-up time before each measurement.", DefaultValueFactory = _ => 1.0 };
        var model = new Option<string>("--model") { Description = "The network: lenet (LeNet-5), resnet (samples/ResNet's ResNet-8) or strided (two 3×3 stride-2 convolutions and two dense layers).", DefaultValueFactory = _ => "lenet" };
        model.AcceptOnlyFromAmong([.. BenchModel.All.Select(m => m.Name)]);
        var side = new Option<string?>("--side") { Description = "Internal: measure this one side and print its result line (the parent passes it to its children).", Hidden = true };

        var root = new RootCommand("NetGen vs TorchSharp and ONNX Runtime: LeNet-5, ResNet-8 or a stride-2 CNN, training and inference, side by side, one child process per side and round.")
        {
            rounds, threads, sides, optimizer, data, seed, trainImages, latencyCalls, warmupSeconds, model, side,
        };

        root.SetAction(parse =>
        {
            int roundCount = parse.GetValue(rounds);
            int threadCount = parse.GetValue(threads);
            int calls = parse.GetValue(latencyCalls);
            int images = parse.GetValue(trainImages);
            double warmup = parse.GetValue(warmupSeconds);
            if (roundCount < 1 || threadCount < 1 || calls < 1 || images < 0 || !(warmup >= 0))
            {
                Console.Error.WriteLine("error: --rounds, --threads and --latency-calls must be at least 1; --train-images and --warmup-seconds must not be negative.");
                return 2;
            }

            string[] sideNames = (parse.GetValue(sides) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => s.ToLowerInvariant()).Distinct().ToArray();
            string[] unknown = sideNames.Where(s => !Sides.Names.Contains(s)).ToArray();
            if (sideNames.Length == 0 || unknown.Length > 0)
            {
                Console.Error.WriteLine($"error: --sides takes a comma-separated list of {string.Join(", ", Sides.Names)}; got '{parse.GetValue(sides)}'.");
                return 2;
            }

            string? dataFolder = parse.GetValue(data) ?? BenchOptions.FindDefaultDataFolder();
            if (dataFolder is null || !Directory.Exists(dataFolder))
            {
                Console.Error.WriteLine(dataFolder is null
                    ? $"error: could not find {BenchOptions.DefaultDataFolder} above the current directory or the program's folder; pass --data DIR."
                    : $"error: the data folder '{dataFolder}' does not exist.");
                return 2;
            }

            var options = new BenchOptions(
                roundCount, threadCount, sideNames, parse.GetValue(optimizer)!, Path.GetFullPath(dataFolder),
                parse.GetValue(seed), images, calls, warmup, BenchModel.Named(parse.GetValue(model)!));

            string? child = parse.GetValue(side);
            if (child is null)
            {
                return Orchestrator.Run(options);
            }

            if (!Sides.Names.Contains(child))
            {
                Console.Error.WriteLine($"error: --side takes one of {string.Join(", ", Sides.Names)}; got '{child}'.");
                return 2;
            }

            ChildResult result = Harness.Run(child, options);
            Console.Out.WriteLine(ChildResult.Marker + JsonSerializer.Serialize(result, ChildResultJson.Default.ChildResult));
            Console.Out.Flush();
            return result.Errors.Count == 0 ? 0 : 3;
        });

        return root.Parse(args).Invoke();
    }
}
