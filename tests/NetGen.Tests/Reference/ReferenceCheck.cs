using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Tests.BatchNorm;
using Xunit;

namespace NetGen.Tests.Reference;

/// <summary>
/// Runs one reference case through NetGen's runtime on one kernel path and compares every value with PyTorch's:
/// the evaluation-mode outputs (<c>Predict</c>), the logits, the mean loss and every parameter's gradient of one
/// training step (<see cref="Trainer.TrainBatch"/> on one thread: the segmented BatchNorm pass included), and, for
/// optimizer cases, the weights and running statistics after each of two steps on the same batch.
/// </summary>
internal static class ReferenceCheck
{
    /// <summary>Runs the case; returns one line per compared quantity with its worst error as a fraction of the tolerance.</summary>
    public static IReadOnlyList<string> Run(ReferenceEntry entry, KernelPath path)
    {
        ReferenceData data = ReferenceData.Load(entry.Name);
        INetwork net = entry.Create();
        data.LoadWeights(net);
        net.KernelPath = path;
        IOptimizer? optimizer = entry.Optimizer?.Invoke();
        ReferenceCatalog.AssertSettingsMatch(data, entry, net, optimizer);
        Dataset batch = data.Dataset(net);
        Assert.Equal(data.Batch, batch.Count);
        var report = new List<string>();
        void Note(string what, double worst) => report.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: worst error {worst:F3} of the tolerance"));

        Note("eval_output", data.AssertClose("eval_output", Predict(net, batch), "evaluation-mode Predict output", ReferenceData.SampleOutput(net.OutputSize)));
        Note("logits", data.AssertClose("logits", Logits(net, batch, data.Training), "logits", ReferenceData.SampleOutput(net.OutputSize)));

        if (!data.Training)
        {
            EvaluationPass(net, batch, entry.Loss, data, report);
            return report;
        }

        using var trainer = new Trainer(net, optimizer ?? new Sgd(0f), threadCount: 1);
        trainer.Fit(batch, null, new TrainingOptions { Epochs = 0, BatchSize = batch.Count, Loss = entry.Loss }); // selects the loss for TrainBatch
        int[] all = Enumerable.Range(0, batch.Count).ToArray();
        Note("loss", data.AssertClose("loss", [trainer.TrainBatch(batch, all)], "mean loss"));
        Note("gradients", data.AssertTensorsClose(net, "grad.", trainer.Gradients, buffers: false, "gradient"));
        if (optimizer is null)
        {
            return report;
        }

        Note("step 1", CompareState(net, data, "step1.", "after step 1"));
        Note("step 2 loss", data.AssertClose("step2.loss", [trainer.TrainBatch(batch, all)], "mean loss at step 2"));
        Note("step 2", CompareState(net, data, "step2.", "after step 2"));
        return report;
    }

    /// <summary><c>Predict</c> of every sample: evaluation mode, after a trailing softmax or sigmoid.</summary>
    public static float[] Predict(INetwork net, Dataset batch)
    {
        var outputs = new float[batch.Count * net.OutputSize];
        net.Predict(batch.Features, outputs, batch.Count);
        return outputs;
    }

    /// <summary>
    /// The logits of the pass PyTorch ran: in training mode with BatchNorm, the segmented pass over the whole batch
    /// (batch statistics, running statistics untouched); otherwise each sample's Forward in evaluation mode (dropout
    /// off), which is also the training pass of a network without BatchNorm or dropout.
    /// </summary>
    private static float[] Logits(INetwork net, Dataset batch, bool training)
    {
        int n = batch.Count, classes = net.OutputSize;
        var logits = new float[n * classes];
        if (net.SegmentCount > 1)
        {
            if (!training)
            {
                Assert.False(net.EndsWithSoftmax || net.EndsWithSigmoid, "Evaluation-mode logits of a BatchNorm network are read from Predict, so it may not end with a fused activation.");
                return Predict(net, batch);
            }

            var pass = new BatchPass(net, Enumerable.Range(0, n).Select(i => batch.Sample(i).ToArray()).ToArray(), batch.Labels);
            pass.Forward();
            for (int i = 0; i < n; i++)
            {
                pass.Logits(i).CopyTo(logits, i * classes);
            }

            return logits;
        }

        var workspace = new float[net.WorkspaceSize];
        for (int i = 0; i < n; i++)
        {
            net.Forward(batch.Sample(i), workspace, training: false, dropoutSeed: 0);
            workspace.AsSpan(net.LogitsOffset, classes).CopyTo(logits.AsSpan(i * classes));
        }

        return logits;
    }

    /// <summary>
    /// Evaluation mode: the mean loss on <c>Predict</c>'s logits and, without BatchNorm, the gradient of one
    /// evaluation-mode Forward and Backward per sample (dropout is the identity, its mask all ones). NetGen has no
    /// backward through BatchNorm's running statistics (it trains with batch statistics), so those gradients are
    /// not compared.
    /// </summary>
    private static void EvaluationPass(INetwork net, Dataset batch, ILoss loss, ReferenceData data, List<string> report)
    {
        int n = batch.Count, classes = net.OutputSize;
        var workspace = new float[net.WorkspaceSize];
        var logitsGradient = new float[classes];
        var gradients = new float[net.ParameterCount];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            net.Forward(batch.Sample(i), workspace, training: false, dropoutSeed: 0);
            ReadOnlySpan<float> target = batch.Targets is null ? ReadOnlySpan<float>.Empty : batch.Target(i);
            sum += loss.LossAndGradient(workspace.AsSpan(net.LogitsOffset, classes), batch.Labels[i], target, logitsGradient, 1f / n);
            if (net.SegmentCount == 1)
            {
                net.Backward(batch.Sample(i), workspace, logitsGradient, gradients);
            }
        }

        report.Add(string.Create(CultureInfo.InvariantCulture, $"loss: worst error {data.AssertClose("loss", [(float)(sum / n)], "mean loss (evaluation mode)"):F3} of the tolerance"));
        if (net.SegmentCount == 1)
        {
            report.Add(string.Create(CultureInfo.InvariantCulture, $"gradients: worst error {data.AssertTensorsClose(net, "grad.", gradients, buffers: false, "evaluation-mode gradient"):F3} of the tolerance"));
        }
        else
        {
            report.Add("gradients: not compared (NetGen has no backward through BatchNorm's running statistics)");
        }
    }

    /// <summary>The parameters and buffers against the file's <paramref name="prefix"/>KEY tensors.</summary>
    private static double CompareState(INetwork net, ReferenceData data, string prefix, string when) =>
        Math.Max(
            data.AssertTensorsClose(net, prefix, net.Parameters, buffers: false, "weights " + when),
            data.AssertTensorsClose(net, prefix, net.Buffers, buffers: true, "running statistics " + when));
}

