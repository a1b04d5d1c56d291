using System.Collections.Generic;

namespace NetGen.Reference;

/// <summary>
/// The reference cases. Each network here has a twin declared with NetGen's attributes in
/// tests/NetGen.Tests/Reference/ReferenceNetworks.cs (same layers, same order, so the same default names); a
/// change here needs the same change there, and a regeneration of the files.
/// </summary>
internal static class Cases
{
    private static readonly OptimizerSpec Plain = new("sgd", 0.1);

    public static IReadOnlyList<ReferenceCase> All { get; } =
    [
        // Dense (the upper layer's input gradient runs, since a parameter layer sits below it).
        new("dense", "Dense(4), ReLU, Dense(3) on 5 inputs", () => new ReferenceNet(5).Dense(4).ReLU().Dense(3), 3, 1),
        new("dense_wide", "Dense(17), Tanh, Dense(9) on 20 inputs: vector bodies and tails", () => new ReferenceNet(20).Dense(17).Tanh().Dense(9), 2, 2),

        // Sequences: token ids, nn.Embedding, nn.LSTM (batch_first), a Linear on every step; the output [T, C] compared flat.
        new("lstm_sequence", "Embedding(7, 3), LSTM(4, every step), Dense(3) on every step, 5 token ids",
            () => new ReferenceNet(5).Embedding(7, 3).Lstm(4, returnSequences: true).Dense(3), 3, 40) { Vocabulary = 7 },
        new("bilstm_last", "Embedding(9, 4), bidirectional LSTM(3, final states), Dense(2), 6 token ids",
            () => new ReferenceNet(6).Embedding(9, 4).Lstm(3, bidirectional: true).Dense(2), 3, 41) { Vocabulary = 9 },
        new("rnn_stacked", "Embedding(8, 4), bidirectional SimpleRNN(3, every step), SimpleRNN(5, final state), Dense(2), 5 token ids",
            () => new ReferenceNet(5).Embedding(8, 4).SimpleRnn(3, returnSequences: true, bidirectional: true).SimpleRnn(5).Dense(2), 3, 43) { Vocabulary = 8 },
        new("bilstm_stacked", "Embedding(8, 5), bidirectional LSTM(4, every step), LSTM(3, final state), Dense(3), 4 token ids, two Adam steps",
            () => new ReferenceNet(4).Embedding(8, 5).Lstm(4, returnSequences: true, bidirectional: true).Lstm(3).Dense(3), 2, 42, Optimizer: new OptimizerSpec("adam", 0.01)) { Vocabulary = 8 },

        // Conv2D: together every stride 1–3, padding 0–2 and kernel 1–7, on non-square inputs, with fused activations.
        new("conv_k3s1p0_k2s2p1", "Conv2D(3, 3) ReLU; Conv2D(2, 2, stride 2, padding 1); Dense(3) on 2×7×9",
            () => new ReferenceNet(2, 7, 9).Conv(3, 3).ReLU().Conv(2, 2, 2, 1).Dense(3), 2, 3),
        new("conv_k5s1p2_k4s3p1", "Conv2D(4, 5, padding 2) Tanh; Conv2D(3, 4, stride 3, padding 1); Dense(3) on 1×11×8",
            () => new ReferenceNet(1, 11, 8).Conv(4, 5, 1, 2).Tanh().Conv(3, 4, 3, 1).Dense(3), 2, 4),
        new("conv_k7s1p1_k1s2p0", "Conv2D(2, 7, padding 1) Sigmoid; Conv2D(3, 1, stride 2); Dense(2) on 3×10×10",
            () => new ReferenceNet(3, 10, 10).Conv(2, 7, 1, 1).Sigmoid().Conv(3, 1, 2, 0).Dense(2), 2, 5),
        new("conv_k6s3p2_k3s1p2", "Conv2D(3, 6, stride 3, padding 2) ReLU; Conv2D(2, 3, padding 2); Dense(3) on 2×9×12",
            () => new ReferenceNet(2, 9, 12).Conv(3, 6, 3, 2).ReLU().Conv(2, 3, 1, 2).Dense(3), 2, 6),
        new("conv_k1s1p1_k7s2p0", "Conv2D(3, 1, padding 1) ReLU; Conv2D(2, 7, stride 2); Dense(3) on 1×8×13",
            () => new ReferenceNet(1, 8, 13).Conv(3, 1, 1, 1).ReLU().Conv(2, 7, 2, 0).Dense(3), 3, 7),
        new("conv_k3s3p0_k2s1p0", "Conv2D(3, 3, stride 3); Conv2D(2, 2) Tanh; Dense(2) on 2×10×7",
            () => new ReferenceNet(2, 10, 7).Conv(3, 3, 3, 0).Conv(2, 2).Tanh().Dense(2), 3, 8),
        new("conv_k5s2p2_k3s1p1", "Conv2D(2, 5, stride 2, padding 2); Conv2D(2, 3, padding 1) ReLU; Dense(3) on 1×9×11",
            () => new ReferenceNet(1, 9, 11).Conv(2, 5, 2, 2).Conv(2, 3, 1, 1).ReLU().Dense(3), 2, 9),
        new("conv_wide", "Conv2D(4, 3, padding 1) ReLU; Conv2D(2, 3); Dense(3) on 2×6×20: rows wider than a Vector512",
            () => new ReferenceNet(2, 6, 20).Conv(4, 3, 1, 1).ReLU().Conv(2, 3).Dense(3), 2, 10),

        // Pooling: windows 2 and 3, overlapping (stride < window) and not. NetGen's pools have no padding.
        new("pool_max", "Conv2D(2, 3, padding 1); MaxPool2D(3, stride 2); MaxPool2D(2); Dense(3) on 2×9×9",
            () => new ReferenceNet(2, 9, 9).Conv(2, 3, 1, 1).MaxPool(3, 2).MaxPool(2).Dense(3), 2, 11),
        new("pool_avg", "Conv2D(3, 3); AvgPool2D(3, stride 2); AvgPool2D(2, stride 1); Dense(3) on 2×8×10",
            () => new ReferenceNet(2, 8, 10).Conv(3, 3).AvgPool(3, 2).AvgPool(2, 1).Dense(3), 2, 12),
        new("pool_mixed", "Conv2D(2, 3) ReLU; MaxPool2D(2, stride 1); AvgPool2D(3); Dense(2) on 1×12×12",
            () => new ReferenceNet(1, 12, 12).Conv(2, 3).ReLU().MaxPool(2, 1).AvgPool(3).Dense(2), 2, 13),

        // Activations, Softmax, Dropout.
        new("activations", "Dense(5) Sigmoid; Dense(5) Tanh; Dense(4) ReLU; Dense(3) on 6 inputs",
            () => new ReferenceNet(6).Dense(5).Sigmoid().Dense(5).Tanh().Dense(4).ReLU().Dense(3), 3, 14),
        new("softmax_trailing", "Dense(5) Tanh; Dense(4) Softmax (fused into the cross-entropy) on 6 inputs",
            () => new ReferenceNet(6).Dense(5).Tanh().Dense(4).EndWith("softmax"), 3, 15),
        new("softmax_middle", "Dense(5) Softmax; Dense(3) on 6 inputs: the softmax's own backward",
            () => new ReferenceNet(6).Dense(5).Softmax().Dense(3), 3, 16),
        new("dropout_eval", "Dense(8) ReLU Dropout(0.5); Dense(3) on 6 inputs, evaluation mode (the identity)",
            () => new ReferenceNet(6).Dense(8).ReLU().Dropout(0.5).Dense(3), 3, 17, Training: false),
        new("leaky_relu", "Conv2D(3, 3) LeakyReLU(0.1); MaxPool2D(2); LeakyReLU (0.01, after the pool); Dense(17) LeakyReLU(0.2); Dense(3) on 2×8×8",
            () => new ReferenceNet(2, 8, 8).Conv(3, 3).LeakyReLU(0.1).MaxPool(2).LeakyReLU().Dense(17).LeakyReLU(0.2).Dense(3), 3, 28),
        new("gelu", "Conv2D(3, 3) GELU (tanh approximation); MaxPool2D(2); Dense(17) GELU; Dense(3) on 2×8×8",
            () => new ReferenceNet(2, 8, 8).Conv(3, 3).GELU().MaxPool(2).Dense(17).GELU().Dense(3), 3, 29),

        // BatchNorm: training mode (batch statistics; running statistics after each step, momentum 0.1 and 0.3) and evaluation mode.
        new("batchnorm_train", "Conv2D(3, 3) BatchNorm ReLU; Dense(9) BatchNorm(eps 1e-3, momentum 0.3) Tanh; Dense(3) on 2×5×6, training mode, 2 SGD steps",
            () => BatchNormNet(), 4, 18, Optimizer: Plain),
        new("no_bias", "Conv2D(4, 3, padding 1, no bias) BatchNorm ReLU; Conv2D(3, 3, no bias) ReLU; Dense(9, no bias) Tanh; Dense(3) on 2×7×9, training mode, 2 SGD steps",
            () => new ReferenceNet(2, 7, 9).Conv(4, 3, 1, 1, bias: false).BatchNorm().ReLU().Conv(3, 3, bias: false).ReLU().Dense(9, bias: false).Tanh().Dense(3), 4, 30, Optimizer: Plain),
        new("batchnorm_eval", "The same network in evaluation mode (running statistics)", () => BatchNormNet(), 4, 19, Training: false),

        // Graphs: a residual block with a projection shortcut (BatchNorm on both branches, training mode, SGD steps),
        // branches joined by Concat on channels and on features, a GlobalAvgPool2D head, and ResNet-8 itself.
        new("residual_projection", "Conv2D(4, 3, padding 1, no bias) BN ReLU = b1; Conv2D(6, 3, stride 2, padding 1, no bias) BN ReLU; Conv2D(6, 3, padding 1, no bias) BN = b2_main; from b1 Conv2D(6, 1, stride 2, no bias) BN; Add(b2_main) ReLU; GlobalAvgPool2D; Dense(3) on 2×8×8, training mode, 2 SGD steps",
            () => ResidualNet(), 4, 31, Optimizer: Plain),
        new("concat_branches", "Conv2D(3, 3, padding 1) ReLU = ra; from ra Conv2D(5, 1) Sigmoid = sb; from ra Conv2D(2, 3, padding 1) Tanh; Concat(sb, ra); Dense(8) ReLU = h; Dense(6) Tanh; Concat(h); Dense(4) on 2×7×7",
            () => ConcatNet(), 3, 32),
        new("gap_head", "Conv2D(5, 3) ReLU; Conv2D(4, 3, stride 2, padding 1); GlobalAvgPool2D; Dense(3) on 3×9×8",
            () => new ReferenceNet(3, 9, 8).Conv(5, 3).ReLU().Conv(4, 3, 2, 1).GlobalAvgPool().Dense(3), 3, 33),
        new("resnet8", "samples/ResNet's ResNet-8 (77,754 parameters) on 1×28×28, training mode (batch statistics) and evaluation mode",
            () => ResNet8(), 2, 34),

        // The losses, mean reduction.
        new("loss_bce", "Dense(4) Tanh; Dense(3) Sigmoid (fused into BCE with logits) on 5 inputs, soft targets",
            () => new ReferenceNet(5).Dense(4).Tanh().Dense(3).EndWith("sigmoid"), 3, 20, LossKind.BinaryCrossEntropyWithLogits),
        new("loss_mse", "Dense(4) ReLU; Dense(2) on 5 inputs, MSE against float targets",
            () => new ReferenceNet(5).Dense(4).ReLU().Dense(2), 3, 21, LossKind.MseLoss),

        // Optimizers: two steps on the same batch.
        new("sgd_momentum", "SGD, momentum 0.9", OptimizerNet, 3, 22, Optimizer: new("sgd", 0.1, Momentum: 0.9)),
        new("sgd_nesterov", "SGD, Nesterov momentum 0.9, weight decay 0.01", OptimizerNet, 3, 23, Optimizer: new("sgd", 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01)),
        new("sgd_weight_decay", "SGD, weight decay 0.05, no momentum", OptimizerNet, 3, 24, Optimizer: new("sgd", 0.1, WeightDecay: 0.05)),
        new("adam", "Adam", OptimizerNet, 3, 25, Optimizer: new("adam", 0.01)),
        new("adam_l2", "Adam, L2 weight decay 0.01 (added to the gradient)", OptimizerNet, 3, 26, Optimizer: new("adam", 0.01, WeightDecay: 0.01, Beta1: 0.8, Beta2: 0.99)),
        new("adamw", "AdamW, decoupled weight decay 0.1", OptimizerNet, 3, 27, Optimizer: new("adamw", 0.01, WeightDecay: 0.1)),
    ];

    private static ReferenceNet BatchNormNet() =>
        new ReferenceNet(2, 5, 6).Conv(3, 3).BatchNorm().ReLU().Dense(9).BatchNorm(1e-3, 0.3).Tanh().Dense(3);

    private static ReferenceNet ResidualNet() =>
        new ReferenceNet(2, 8, 8)
            .Conv(4, 3, 1, 1, bias: false).BatchNorm().ReLU().As("b1")
            .Conv(6, 3, 2, 1, bias: false).BatchNorm().ReLU()
            .Conv(6, 3, 1, 1, bias: false).BatchNorm().As("b2_main")
            .From("b1").Conv(6, 1, 2, 0, bias: false).BatchNorm()
            .Add("b2_main").ReLU()
            .GlobalAvgPool().Dense(3);

    private static ReferenceNet ConcatNet() =>
        new ReferenceNet(2, 7, 7)
            .Conv(3, 3, 1, 1).ReLU().As("ra")
            .From("ra").Conv(5, 1).Sigmoid().As("sb")
            .From("ra").Conv(2, 3, 1, 1).Tanh()
            .Concat("sb", "ra")
            .Dense(8).ReLU().As("h")
            .Dense(6).Tanh()
            .Concat("h").Dense(4);

    /// <summary>samples/ResNet/ResNet8.cs, layer for layer and name for name.</summary>
    private static ReferenceNet ResNet8()
    {
        var net = new ReferenceNet(1, 28, 28).Conv(16, 3, 1, 1, bias: false).As("conv1").BatchNorm().As("bn1").ReLU().As("stem");
        net.Conv(16, 3, 1, 1, bias: false).As("b1_conv1").BatchNorm().As("b1_bn1").ReLU().As("b1_relu1")
            .Conv(16, 3, 1, 1, bias: false).As("b1_conv2").BatchNorm().As("b1_bn2")
            .Add("stem").As("b1_add").ReLU().As("block1");
        foreach ((int block, int width) in new[] { (2, 32), (3, 64) })
        {
            string b = "b" + block.ToString(System.Globalization.CultureInfo.InvariantCulture);
            net.Conv(width, 3, 2, 1, bias: false).As(b + "_conv1").BatchNorm().As(b + "_bn1").ReLU().As(b + "_relu1")
                .Conv(width, 3, 1, 1, bias: false).As(b + "_conv2").BatchNorm().As(b + "_bn2")
                .From("block" + (block - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Conv(width, 1, 2, 0, bias: false).As(b + "_down").BatchNorm().As(b + "_down_bn")
                .Add(b + "_bn2").As(b + "_add").ReLU().As("block" + block.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return net.GlobalAvgPool().As("pool").Dense(10).As("fc");
    }

    private static ReferenceNet OptimizerNet() => new ReferenceNet(4).Dense(5).Tanh().Dense(3);
}
