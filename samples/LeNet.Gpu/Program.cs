// Trains LeNet-5 on MNIST-layout IDX data on the CPU (NetGen's SIMD kernels on all cores) or on a GPU (its
// generated ILGPU kernels: CUDA when present, else OpenCL, else ILGPU's CPU accelerator), with the same
// optimizer, shuffling and seed, and prints one line per epoch, then the last epoch's `train images/s: R` and
// `test accuracy: A`.
// --check compares a few training steps on the GPU with the CPU's scalar path instead.
using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using LeNetGpu;
using NetGen;
using NetGen.Gpu;
using NetGen.Samples;

var device = SampleOptions.Choice("--device", "cpu (SIMD kernels on all cores) or gpu (ILGPU kernels).", "cpu", "cpu", "gpu");
var accelerator = SampleOptions.Choice("--accelerator", "With --device gpu: auto (CUDA, else OpenCL, else ILGPU's CPU accelerator), cuda, opencl or cpu.", "auto", "auto", "cuda", "opencl", "cpu");
var kernels = SampleOptions.Choice("--kernels", "With --device gpu: auto (tiled Dense and Conv2D kernels on GPUs), simple or tiled.", "auto", "auto", "simple", "tiled");
var epochs = SampleOptions.Int("--epochs", "Passes over the training set.", 5, Bounds.AtLeast(1));
var batch = SampleOptions.Int("--batch", "Mini-batch size.", 64, Bounds.AtLeast(1));
var seed = SampleOptions.Int("--seed", "Seed of the initial weights and the shuffling.", 42, Bounds.Any);
var lr = SampleOptions.Float("--lr", "SGD learning rate.", 0.02f, Bounds.Above(0));
var momentum = SampleOptions.Float("--momentum", "SGD momentum, in [0, 1).", 0.9f, Bounds.From(0, 1));
var threads = SampleOptions.Int("--threads", "With --device cpu: worker threads (default: all cores).", Environment.ProcessorCount, Bounds.AtLeast(1));
var check = new Option<bool>("--check") { Description = "Instead of training: compare a few LeNet-5 steps on the GPU (--accelerator) with the CPU's scalar path, with the simple and the tiled kernels." };
var data = new Option<DirectoryInfo>("--data")
{
    Description = "A folder in MNIST's IDX layout, e.g. /usr/share/datasets/fashion-mnist.",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k")),
};

var root = new RootCommand("Train LeNet-5, compiled by NetGen, on the CPU or on a GPU.") { device, accelerator, kernels, epochs, batch, seed, lr, momentum, threads, check, data };
return SampleMain.Run(root, args, parsed =>
{
    try
    {
        return Run(parsed);
    }
    catch (InvalidOperationException e) when (e.Message.StartsWith("No ", StringComparison.Ordinal))
    {
        // No device of the kind --accelerator asks for: the library's reason, then what this sample offers instead.
        throw new OptionException("--accelerator", $"{e.Message.Split(';')[0].TrimEnd('.')}; --accelerator cpu runs the kernels on ILGPU's CPU accelerator, --device cpu on NetGen's CPU kernels", e);
    }
});

int Run(ParseResult parsed)
{
    var net = new LeNet5(parsed.GetValue(seed));
    var (train, test) = SampleData.Load(parsed.GetValue(data)!, "--data", net);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data: {train.Count} training and {test.Count} test images of [{string.Join(", ", train.SampleShape)}]"));
    GpuDeviceKind kind = parsed.GetValue(accelerator) switch
    {
        "cuda" => GpuDeviceKind.Cuda,
        "opencl" => GpuDeviceKind.OpenCL,
        "cpu" => GpuDeviceKind.Cpu,
        _ => GpuDeviceKind.Auto,
    };
    if (parsed.GetValue(check))
    {
        return DeviceCheck.Run(train, test, kind, parsed.GetValue(seed));
    }

    var optimizer = new Sgd(parsed.GetValue(lr), parsed.GetValue(momentum));
    var options = new TrainingOptions
    {
        Epochs = parsed.GetValue(epochs),
        BatchSize = parsed.GetValue(batch),
        Seed = (ulong)parsed.GetValue(seed),
        OnEpoch = e => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {e.Epoch}: loss {e.TrainingLoss:F4}, train images/s {e.ImagesPerSecond:F0}, test accuracy {e.ValidationAccuracy:F4}")),
    };

    var clock = Stopwatch.StartNew();
    TrainingHistory history;
    if (parsed.GetValue(device) == "gpu")
    {
        GpuKernelVariant variant = parsed.GetValue(kernels) switch
        {
            "simple" => GpuKernelVariant.Simple,
            "tiled" => GpuKernelVariant.Tiled,
            _ => GpuKernelVariant.Auto,
        };
        using GpuDevice gpu = GpuDevice.Create(kind, variant);
        Console.WriteLine("device: " + gpu.Name + (gpu.IsCpu ? " (ILGPU's CPU accelerator: the kernels run on the CPU, slowly)" : string.Empty));
        using var trainer = new GpuTrainer(net, optimizer, gpu);
        history = trainer.Fit(train, test, options);
    }
    else
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"device: CPU, {Kernels.Resolve(net.KernelPath)} kernels, {parsed.GetValue(threads)} threads"));
        using var trainer = new Trainer(net, optimizer, parsed.GetValue(threads));
        history = trainer.Fit(train, test, options);
    }

    double seconds = 0;
    foreach (EpochResult e in history.Epochs)
    {
        seconds += e.TrainingSeconds;
    }

    // The first epoch also loads (compiles) the kernels on the GPU path: the last epoch's rate is the steady one.
    // The weights are back on the host: the CPU's Predict gives the final figure on either device.
    if (history.Last is EpochResult last)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train images/s: {last.ImagesPerSecond:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train images/s over all epochs (first-use kernel loading included): {(seconds > 0 ? history.Epochs.Count * train.Count / seconds : 0):F0}"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall seconds (with kernel loading and evaluation): {clock.Elapsed.TotalSeconds:F1}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy: {Evaluation.Accuracy(net, test):F4}"));
    return ExitCodes.Success;
}
