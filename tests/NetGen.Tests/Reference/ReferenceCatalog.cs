using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen.Tests.Reference;

/// <summary>A reference case on the NetGen side: the network twin, the loss, and the optimizer PyTorch stepped with.</summary>
internal sealed record ReferenceEntry(string Name, Func<INetwork> Create, ILoss Loss, Func<IOptimizer>? Optimizer = null);

/// <summary>Every file in Reference/Data and the NetGen network, loss and optimizer it is checked against.</summary>
internal static class ReferenceCatalog
{
    private static readonly ILoss CrossEntropy = new SoftmaxCrossEntropyLoss();

    public static IReadOnlyList<ReferenceEntry> All { get; } =
    [
        new("dense", () => new RefDense(0), CrossEntropy),
        new("dense_wide", () => new RefDenseWide(0), CrossEntropy),
        new("lstm_sequence", () => new RefLstmSequence(0), CrossEntropy),
        new("bilstm_last", () => new RefBiLstmLast(0), CrossEntropy),
        new("rnn_stacked", () => new RefRnnStacked(0), CrossEntropy),
        new("bilstm_stacked", () => new RefBiLstmStacked(0), CrossEntropy, () => new Adam(0.01f)),
        new("conv_k3s1p0_k2s2p1", () => new RefConvK3S1P0K2S2P1(0), CrossEntropy),
        new("conv_k5s1p2_k4s3p1", () => new RefConvK5S1P2K4S3P1(0), CrossEntropy),
        new("conv_k7s1p1_k1s2p0", () => new RefConvK7S1P1K1S2P0(0), CrossEntropy),
        new("conv_k6s3p2_k3s1p2", () => new RefConvK6S3P2K3S1P2(0), CrossEntropy),
        new("conv_k1s1p1_k7s2p0", () => new RefConvK1S1P1K7S2P0(0), CrossEntropy),
        new("conv_k3s3p0_k2s1p0", () => new RefConvK3S3P0K2S1P0(0), CrossEntropy),
        new("conv_k5s2p2_k3s1p1", () => new RefConvK5S2P2K3S1P1(0), CrossEntropy),
        new("conv_wide", () => new RefConvWide(0), CrossEntropy),
        new("pool_max", () => new RefPoolMax(0), CrossEntropy),
        new("pool_avg", () => new RefPoolAvg(0), CrossEntropy),
        new("pool_mixed", () => new RefPoolMixed(0), CrossEntropy),
        new("activations", () => new RefActivations(0), CrossEntropy),
        new("softmax_trailing", () => new RefSoftmaxTrailing(0), CrossEntropy),
        new("softmax_middle", () => new RefSoftmaxMiddle(0), CrossEntropy),
        new("dropout_eval", () => new RefDropout(0), CrossEntropy),
        new("leaky_relu", () => new RefLeakyReLU(0), CrossEntropy),
        new("gelu", () => new RefGELU(0), CrossEntropy),
        new("batchnorm_train", () => new RefBatchNorm(0), CrossEntropy, () => new Sgd(0.1f)),
        new("no_bias", () => new RefNoBias(0), CrossEntropy, () => new Sgd(0.1f)),
        new("batchnorm_eval", () => new RefBatchNorm(0), CrossEntropy),
        new("residual_projection", () => new RefResidualProjection(0), CrossEntropy, () => new Sgd(0.1f)),
        new("concat_branches", () => new RefConcatBranches(0), CrossEntropy),
        new("gap_head", () => new RefGapHead(0), CrossEntropy),
        new("resnet8", () => new global::ResNet.ResNet8(0), CrossEntropy),
        new("loss_bce", () => new RefBinary(0), new BinaryCrossEntropyWithLogitsLoss()),
        new("loss_mse", () => new RefRegression(0), new MeanSquaredErrorLoss()),
        new("sgd_momentum", () => new RefOptimizerNet(0), CrossEntropy, () => new Sgd(0.1f, momentum: 0.9f)),
        new("sgd_nesterov", () => new RefOptimizerNet(0), CrossEntropy, () => new Sgd(0.1f, momentum: 0.9f, weightDecay: 0.01f, nesterov: true)),
        new("sgd_weight_decay", () => new RefOptimizerNet(0), CrossEntropy, () => new Sgd(0.1f, weightDecay: 0.05f)),
        new("adam", () => new RefOptimizerNet(0), CrossEntropy, () => new Adam(0.01f)),
        new("adam_l2", () => new RefOptimizerNet(0), CrossEntropy, () => new Adam(0.01f, beta1: 0.8f, beta2: 0.99f, weightDecay: 0.01f)),
        new("adamw", () => new RefOptimizerNet(0), CrossEntropy, () => new AdamW(0.01f, weightDecay: 0.1f)),
    ];

    public static ReferenceEntry Get(string name) =>
        All.SingleOrDefault(e => e.Name == name) ?? throw new ArgumentException("No reference case is named '" + name + "'.", nameof(name));

    /// <summary>Fails unless the file was made with the entry's loss, optimizer settings and trailing activation.</summary>
    public static void AssertSettingsMatch(ReferenceData data, ReferenceEntry entry, INetwork net, IOptimizer? optimizer)
    {
        Xunit.Assert.Equal(data.Meta("loss"), entry.Loss.Name);
        Xunit.Assert.Equal(data.Meta("optimizer"), Describe(optimizer));
        Xunit.Assert.Equal(data.Meta("trailing"), net.EndsWithSoftmax ? "softmax" : net.EndsWithSigmoid ? "sigmoid" : "none");
    }

    /// <summary>
    /// The optimizer's hyper-parameters in the reference tool's words (<c>OptimizerSpec.Describe</c>), so a test
    /// fails when the file was made with other settings than the ones it applies.
    /// </summary>
    public static string Describe(IOptimizer? optimizer) => optimizer switch
    {
        null => "none",
        Sgd s => Inv($"sgd lr={s.LearningRate} momentum={s.Momentum} nesterov={(s.Nesterov ? "true" : "false")} weight_decay={s.WeightDecay}"),
        Adam a => Inv($"adam lr={a.LearningRate} betas=({a.Beta1}, {a.Beta2}) eps={a.Epsilon} weight_decay={a.WeightDecay}"),
        AdamW a => Inv($"adamw lr={a.LearningRate} betas=({a.Beta1}, {a.Beta2}) eps={a.Epsilon} weight_decay={a.WeightDecay}"),
        _ => optimizer.GetType().Name,
    };

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
