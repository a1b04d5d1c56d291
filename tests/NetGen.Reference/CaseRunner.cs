using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Reference;

/// <summary>
/// Runs one case in TorchSharp and writes its file: the initial state dict (PyTorch's names and layouts), the
/// batch, the logits, the loss, every parameter's gradient, the evaluation-mode output of the initial network,
/// and, with an optimizer, the state dict after each step (BatchNorm's running statistics included).
/// </summary>
internal static class CaseRunner
{
    public static SafetensorsOut Run(ReferenceCase c, string generator)
    {
        using var scope = torch.NewDisposeScope();
        ReferenceNet spec = c.Network();
        nn.Module<Tensor, Tensor> module = spec.Build();
        var rng = new SplitMix(c.Seed);
        var file = new SafetensorsOut();
        InitializeState(module, rng, file);

        // A sequence output [T, C] is compared flat, T × C per sample, as NetGen lays it out.
        int outputs = spec.Shape.Aggregate(1, (a, d) => a * d);
        long[] inputShape = [c.Batch, .. spec.InputShape.Select(d => (long)d)];
        float[] input = Enumerable.Range(0, (int)inputShape.Aggregate(1L, (a, b) => a * b))
            .Select(_ => c.Vocabulary > 0 ? rng.NextInt(c.Vocabulary) : rng.Uniform(-1f, 1f)).ToArray();
        long[] labels = Enumerable.Range(0, c.Batch).Select(_ => (long)rng.NextInt(outputs)).ToArray();
        float[]? targets = c.Loss switch
        {
            LossKind.BinaryCrossEntropyWithLogits => Enumerable.Range(0, c.Batch * outputs).Select(_ => rng.NextFloat()).ToArray(),
            LossKind.MseLoss => Enumerable.Range(0, c.Batch * outputs).Select(_ => rng.Uniform(-1f, 1f)).ToArray(),
            _ => null,
        };
        file.F32("input", inputShape, input);
        file.I64("labels", [c.Batch], labels);
        if (targets is not null)
        {
            file.F32("targets", [c.Batch, outputs], targets);
        }

        Tensor x = torch.tensor(input, inputShape);
        Tensor y = torch.tensor(labels);
        Tensor? t = targets is null ? null : torch.tensor(targets, [c.Batch, outputs]);

        // The evaluation-mode output of the initial network (running statistics, no dropout), before a
        // training-mode forward moves BatchNorm's running statistics.
        module.eval();
        using (torch.no_grad())
        {
            file.F32("eval_output", [c.Batch, outputs], Values(Trail(module.forward(x).reshape(c.Batch, outputs), spec.Trailing)));
        }

        module.train(c.Training);
        optim.Optimizer? optimizer = c.Optimizer is null ? null : CreateOptimizer(c.Optimizer, module);
        for (int step = 1; step <= (optimizer is null ? 1 : c.Steps); step++)
        {
            optimizer?.zero_grad();
            Tensor logits = module.forward(x).reshape(c.Batch, outputs);
            Tensor loss = Loss(c.Loss, logits, y, t);
            loss.backward();
            string prefix = step == 1 ? "" : "step" + step.ToString(CultureInfo.InvariantCulture) + ".";
            file.F32(prefix + "loss", [1], [loss.item<float>()]);
            if (step == 1)
            {
                file.F32("logits", [c.Batch, outputs], Values(logits));
                file.F32("output", [c.Batch, outputs], Values(Trail(logits, spec.Trailing)));
                foreach ((string name, TorchSharp.Modules.Parameter p) in module.named_parameters())
                {
                    file.F32("grad." + name, p.shape, Values(p.grad!));
                }
            }

            if (optimizer is not null)
            {
                optimizer.step();
                WriteState(module, file, "step" + step.ToString(CultureInfo.InvariantCulture) + ".");
            }
        }

        file.Metadata("case", c.Name);
        file.Metadata("description", c.Description);
        file.Metadata("loss", LossName(c.Loss));
        file.Metadata("mode", c.Training ? "train" : "eval");
        file.Metadata("batch", c.Batch.ToString(CultureInfo.InvariantCulture));
        file.Metadata("trailing", spec.Trailing ?? "none");
        file.Metadata("optimizer", c.Optimizer?.Describe() ?? "none");
        file.Metadata("steps", (c.Optimizer is null ? 0 : c.Steps).ToString(CultureInfo.InvariantCulture));
        file.Metadata("generator", generator);
        return file;
    }

    public static string LossName(LossKind loss) => loss switch
    {
        LossKind.CrossEntropy => "cross_entropy",
        LossKind.BinaryCrossEntropyWithLogits => "binary_cross_entropy_with_logits",
        _ => "mse_loss",
    };

    /// <summary>
    /// Fills every tensor of the state dict from the tool's generator, in state-dict order, and writes it:
    /// weights and biases uniform in ±1/√fan-in (PyTorch's default bound, fan-in = elements / out-features of the
    /// layer's weight), BatchNorm's γ in [0.5, 1.5), β in ±0.2, running mean in ±0.3, running variance in
    /// [0.5, 1.5) (so evaluation mode differs from a fresh layer). num_batches_tracked is not written.
    /// </summary>
    private static void InitializeState(nn.Module<Tensor, Tensor> module, SplitMix rng, SafetensorsOut file)
    {
        using var noGrad = torch.no_grad();
        var fanIn = new Dictionary<string, double>(StringComparer.Ordinal);
        var batchNorms = module.state_dict().Keys.Where(k => k.EndsWith(".running_mean", StringComparison.Ordinal)).Select(k => k[..k.LastIndexOf('.')]).ToHashSet(StringComparer.Ordinal);
        foreach ((string name, Tensor tensor) in module.state_dict())
        {
            string layer = name[..name.LastIndexOf('.')];
            string suffix = name[(name.LastIndexOf('.') + 1)..];
            if (suffix == "num_batches_tracked")
            {
                continue;
            }

            bool batchNorm = batchNorms.Contains(layer);
            if (suffix == "weight" && !batchNorm)
            {
                fanIn[layer] = tensor.numel() / (double)tensor.shape[0];
            }

            // A recurrent layer's tensors (weight_ih_l0, bias_hh_l0_reverse, …): ±1/√units, PyTorch's bound, with
            // units = the first dimension / 4 gates.
            bool recurrent = suffix.StartsWith("weight_", StringComparison.Ordinal) || suffix.StartsWith("bias_", StringComparison.Ordinal);
            double bound = batchNorm ? 0 : 1.0 / Math.Sqrt(recurrent ? tensor.shape[0] / 4.0 : fanIn[layer]);
            (float min, float max) = (batchNorm, suffix) switch
            {
                (true, "weight") => (0.5f, 1.5f),
                (true, "bias") => (-0.2f, 0.2f),
                (true, "running_mean") => (-0.3f, 0.3f),
                (true, "running_var") => (0.5f, 1.5f),
                _ => ((float)-bound, (float)bound),
            };
            float[] values = Enumerable.Range(0, (int)tensor.numel()).Select(_ => rng.Uniform(min, max)).ToArray();
            tensor.copy_(torch.tensor(values, tensor.shape));
        }

        WriteState(module, file, "");
    }

    private static void WriteState(nn.Module<Tensor, Tensor> module, SafetensorsOut file, string prefix)
    {
        foreach ((string name, Tensor tensor) in module.state_dict())
        {
            if (!name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                file.F32(prefix + name, tensor.shape, Values(tensor));
            }
        }
    }

    private static optim.Optimizer CreateOptimizer(OptimizerSpec o, nn.Module module) => o.Kind switch
    {
        "sgd" => optim.SGD(module.parameters(), o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay, nesterov: o.Nesterov),
        "adam" => optim.Adam(module.parameters(), o.LearningRate, beta1: o.Beta1, beta2: o.Beta2, eps: o.Epsilon, weight_decay: o.WeightDecay),
        "adamw" => optim.AdamW(module.parameters(), o.LearningRate, beta1: o.Beta1, beta2: o.Beta2, eps: o.Epsilon, weight_decay: o.WeightDecay),
        _ => throw new ArgumentException("Unknown optimizer " + o.Kind + ".", nameof(o)),
    };

    private static Tensor Loss(LossKind kind, Tensor logits, Tensor labels, Tensor? targets) => kind switch
    {
        LossKind.CrossEntropy => nn.functional.cross_entropy(logits, labels),
        LossKind.BinaryCrossEntropyWithLogits => nn.functional.binary_cross_entropy_with_logits(logits, targets!),
        _ => nn.functional.mse_loss(logits, targets!),
    };

    private static Tensor Trail(Tensor logits, string? trailing) => trailing switch
    {
        "softmax" => nn.functional.softmax(logits, 1),
        "sigmoid" => torch.sigmoid(logits),
        _ => logits,
    };

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
}
