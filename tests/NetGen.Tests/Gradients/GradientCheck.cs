using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>How a finite-difference check is run and judged.</summary>
internal sealed record GradientCheckOptions
{
    /// <summary>The kernels the network runs (set on the network before anything is computed).</summary>
    public KernelPath Path { get; init; } = KernelPath.Scalar;

    /// <summary>Seeds the input, the target label, the random biases and the parameter sample.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Runs Forward in training mode (dropout on) with <see cref="DropoutSeed"/> for every evaluation.</summary>
    public bool Training { get; init; }

    /// <summary>The dropout seed: the same masks for the analytic pass and every perturbed pass.</summary>
    public ulong DropoutSeed { get; init; } = 12345;

    /// <summary>Inputs are drawn uniformly from [<see cref="InputMin"/>, <see cref="InputMax"/>).</summary>
    public float InputMin { get; init; } = -1f;

    /// <summary>Upper end of the input range.</summary>
    public float InputMax { get; init; } = 1f;

    /// <summary>
    /// The first central-difference step, added to and subtracted from one float32 parameter. It trades
    /// truncation error (∝ h², about 1e-4 relative here) and kinks crossed (∝ h) against float rounding noise in
    /// the loss (∝ 1/h). Parameters that fail near a kink are retried with steps 4, 16 and 64 times smaller.
    /// </summary>
    public float Step { get; init; } = 1e-2f;

    /// <summary>Largest accepted |a − n| / max(<see cref="Floor"/>, |a| + |n|), on top of the measured noise allowance.</summary>
    public double Tolerance { get; init; } = 2e-2;

    /// <summary>Denominator floor of the relative error: gradients smaller than this are compared absolutely.</summary>
    public double Floor { get; init; } = 1e-3;

    /// <summary>
    /// Null checks every parameter. Otherwise every bias is checked, plus this many randomly chosen weights
    /// of every weight tensor (all of them when the tensor is smaller).
    /// </summary>
    public int? WeightsPerTensor { get; init; }

    /// <summary>How many parameters may be skipped as sitting on a kink, as a fraction of those checked (at least 2).</summary>
    public double MaxSkippedFraction { get; init; } = 0.05;

    /// <summary>The same limit for each parameter tensor on its own (at least 2), so a broken layer cannot hide behind the others.</summary>
    public double MaxSkippedFractionPerTensor { get; init; } = 0.1;
}

/// <summary>The outcome for one parameter: the gradients, the relative error and the step that decided it.</summary>
internal sealed record ParameterCheck(int Index, string Tensor, string Name, double Analytic, double Numeric, double RelativeError, double NoiseAllowance, float StepUsed)
{
    /// <summary>|a − n| as a fraction of what was allowed; at most 1 passes.</summary>
    public double Score(GradientCheckOptions options) =>
        Math.Abs(Analytic - Numeric) / ((options.Tolerance * Math.Max(options.Floor, Math.Abs(Analytic) + Math.Abs(Numeric))) + NoiseAllowance);
}

/// <summary>What a gradient check found.</summary>
internal sealed class GradientCheckResult
{
    public required string Network { get; init; }

    public required GradientCheckOptions Options { get; init; }

    public required int Checked { get; init; }

    /// <summary>Parameters checked per tensor key.</summary>
    public required IReadOnlyDictionary<string, int> CheckedPerTensor { get; init; }

    public required IReadOnlyList<ParameterCheck> Failures { get; init; }

    /// <summary>Parameters that sat on a kink at every step tried.</summary>
    public required IReadOnlyList<ParameterCheck> Skipped { get; init; }

    /// <summary>Parameters that passed only with a smaller step, after the first one crossed a kink.</summary>
    public required int Retried { get; init; }

    /// <summary>The parameter closest to failing (or the worst failure), among those not skipped.</summary>
    public required ParameterCheck? Worst { get; init; }

    /// <summary>The loss's float rounding noise, as measured (see <see cref="GradientCheck"/>).</summary>
    public required double LossNoise { get; init; }

    public string Summary => Inv($"{Network} on {Options.Path}: {Checked} parameters checked, {Failures.Count} failed, {Skipped.Count} skipped on kinks, {Retried} passed after a smaller step; worst {Worst?.Name ?? "-"}: relative error {Worst?.RelativeError ?? 0:E2} (analytic {Worst?.Analytic ?? 0:G4}, numeric {Worst?.Numeric ?? 0:G4}, step {Worst?.StepUsed ?? 0:E1}); tolerance {Options.Tolerance:E1}, loss noise {LossNoise:E1}.");

    /// <summary>Fails, naming every failing parameter, when the check did not pass.</summary>
    public void AssertPassed()
    {
        int maxSkipped = Math.Max(2, (int)(Checked * Options.MaxSkippedFraction));
        var tensorsOverLimit = Skipped.GroupBy(s => s.Tensor)
            .Select(g => (Tensor: g.Key, Skipped: g.Count(), Limit: Math.Max(2, (int)(CheckedPerTensor[g.Key] * Options.MaxSkippedFractionPerTensor))))
            .Where(t => t.Skipped > t.Limit)
            .ToList();
        if (Failures.Count == 0 && Skipped.Count <= maxSkipped && tensorsOverLimit.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.AppendLine("Finite-difference gradient check failed. " + Summary);
        if (Failures.Count > 0)
        {
            message.AppendLine("d loss / d parameter, analytic (Backward) vs numeric (central difference):");
            foreach (ParameterCheck f in Failures.Take(25))
            {
                message.AppendLine(Inv($"  {f.Name}: analytic {f.Analytic:G6}, numeric {f.Numeric:G6}, relative error {f.RelativeError:E2} (step {f.StepUsed:E1}, noise allowance {f.NoiseAllowance:E1})"));
            }

            if (Failures.Count > 25)
            {
                message.AppendLine(Inv($"  … and {Failures.Count - 25} more."));
            }
        }

        foreach ((string tensor, int skipped, int limit) in tensorsOverLimit)
        {
            message.AppendLine(Inv($"Too many parameters of {tensor} skipped as sitting on a kink at every step ({skipped} of {CheckedPerTensor[tensor]} checked, limit {limit})."));
        }

        if (Skipped.Count > maxSkipped || tensorsOverLimit.Count > 0)
        {
            message.AppendLine(Inv($"Skipped as sitting on a kink at every step: {Skipped.Count} (limit {maxSkipped}); the first ones:"));
            foreach (ParameterCheck s in Skipped.Take(10))
            {
                message.AppendLine(Inv($"  {s.Name}: analytic {s.Analytic:G6}, numeric {s.Numeric:G6} (step {s.StepUsed:E1})"));
            }
        }

        Assert.Fail(message.ToString());
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Finite-difference gradient check of a generated network, the independent oracle for every layer kind's
/// backward pass.
/// </summary>
/// <remarks>
/// <para>
/// Kernel paths. The network runs the kernels of <see cref="GradientCheckOptions.Path"/> (scalar, Vector256 or
/// Vector512) for every Forward and Backward, so each path's backward is checked against its own forward.
/// </para>
/// <para>
/// Loss and analytic gradient. The loss is softmax cross-entropy of the logits (<see cref="INetwork.OutputSize"/> floats
/// at <see cref="INetwork.LogitsOffset"/>) against a random label, computed here in double; d loss / d logits =
/// softmax − onehot, also in double. The runtime's own loss is deliberately not used. The analytic gradient is one
/// Forward and one Backward into a zeroed buffer. The numeric gradient of a parameter θ is
/// (L(θ + h) − L(θ − h)) / (h₊ + h₋), where h₊ = (float)(θ + h) − θ and h₋ = θ − (float)(θ − h) are the steps
/// actually taken in float32 (computed exactly in double). Layers whose dx is wrong show up through the parameters
/// below them, which is why every test network puts such layers above a parameter layer.
/// </para>
/// <para>
/// Acceptance. |a − n| ≤ tolerance · max(floor, |a| + |n|) + noise allowance. The forward pass is float32, so the
/// loss carries rounding noise that the step divides. Before checking, the noise is measured on up to 16
/// parameters that move the loss, as the median of |L(θ + δ) + L(θ − δ) − 2 L(θ)| with δ = 1e-4 (large enough
/// to change the rounding of every sum downstream, small enough that curvature contributes ~1e-8 · L''); a
/// central difference with step h is allowed 2 · noise / h more. A parameter about to fail gets one more chance
/// with its own noise (the largest such second difference over four δ from 1e-4 to 2.2e-4, if larger): the first
/// convolution's weights feed every sum of the network and make the loss noisier than the median parameter.
/// The allowance is ~1e-5 or less at the first step; it matters only for the smaller retry steps.
/// </para>
/// <para>
/// Kinks. ReLU and max pooling are not differentiable everywhere: a step that moves a ReLU input across zero, or
/// changes which value wins a max-pool window, measures a mix of two slopes (each crossing can cost half of one
/// unit's contribution, whatever h is, and conv weights touch hundreds of units). A parameter that fails is
/// treated as near a kink only if its step visibly crossed one, judged from the whole workspace (every
/// activation, before and after each perturbation): (a) some value switched between exactly zero and non-zero
/// (a ReLU turned on or off), or (b) some value w is not affine over the step, |w(θ + h) + w(θ − h) − 2 w(θ)| >
/// 1e-3 · |w(θ + h) − w(θ − h)| + 1e-6 · (1 + |w(θ)|). Dense, Conv2D, pooling, ReLU, Flatten and dropout are
/// piecewise linear in any one parameter, so without a kink that second difference is float rounding, while a
/// max-pool output whose winner changed shows a slope change of its own size; tanh, sigmoid and softmax add
/// curvature ∝ h, which smaller steps remove. Such a parameter is retried with steps 4, 16 and 64 times smaller;
/// it passes if any step passes, fails as soon as a step fails without crossing a kink, and is counted as
/// skipped only when every step crossed one. The check fails when more than
/// <see cref="GradientCheckOptions.MaxSkippedFraction"/> of the parameters, or more than
/// <see cref="GradientCheckOptions.MaxSkippedFractionPerTensor"/> of one tensor's (at least 2 each), are skipped,
/// so a broken kernel cannot hide behind the kink rule: a correct gradient passes at some step (kinks cost it
/// little), a wrong one fails at all of them, and a tensor dense in kinks (LeNet-5's first convolution feeds
/// 4,704 ReLUs) would otherwise be skipped rather than failed. Inputs and biases are continuous random values,
/// so exact ties (other than ReLU's exact zeros, which max pooling then compares) have probability zero; max
/// pooling sends the gradient of an all-zero window to its first element, whose ReLU gradient is zero anyway.
/// </para>
/// </remarks>
internal static class GradientCheck
{
    private const int NoiseProbes = 16;
    private const float NoiseDelta = 1e-4f;

    /// <summary>Reproducible, non-trivial network state: small random biases (they start at zero).</summary>
    public static void RandomizeBiases(INetwork net, ulong seed, float scale = 0.1f)
    {
        var rng = new Rng(seed ^ 0xB1A5UL);
        Span<float> p = net.Parameters;
        foreach (LayerInfo layer in net.Layers)
        {
            foreach (TensorInfo t in layer.Tensors.Where(t => t.Key.EndsWith(".bias", StringComparison.Ordinal)))
            {
                for (int i = 0; i < t.Length; i++)
                {
                    p[t.Offset + i] = scale * ((2f * rng.NextFloat()) - 1f);
                }
            }
        }
    }

    /// <summary>A uniform random input in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public static float[] RandomInput(INetwork net, ulong seed, float min = -1f, float max = 1f)
    {
        var rng = new Rng(seed ^ 0x1A97UL);
        var x = new float[net.InputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = min + ((max - min) * rng.NextFloat());
        }

        return x;
    }

    /// <summary>The random target label for <paramref name="seed"/>.</summary>
    public static int RandomLabel(INetwork net, ulong seed)
    {
        var rng = new Rng(seed ^ 0x1ABE1UL);
        return rng.NextInt(net.OutputSize);
    }

    /// <summary>Softmax cross-entropy of <paramref name="logits"/> against <paramref name="label"/>, in double.</summary>
    public static double Loss(ReadOnlySpan<float> logits, int label)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits)
        {
            max = Math.Max(max, z);
        }

        double sum = 0;
        foreach (float z in logits)
        {
            sum += Math.Exp(z - max);
        }

        return max + Math.Log(sum) - logits[label];
    }

    /// <summary>d loss / d logits = softmax(logits) − onehot(label), in double.</summary>
    public static double[] LossGradient(ReadOnlySpan<float> logits, int label)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits)
        {
            max = Math.Max(max, z);
        }

        var g = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = Math.Exp(logits[i] - max);
            sum += g[i];
        }

        for (int i = 0; i < g.Length; i++)
        {
            g[i] = (g[i] / sum) - (i == label ? 1 : 0);
        }

        return g;
    }

    /// <summary>Runs Forward with the network's current parameters and returns the loss; the logits stay in <paramref name="workspace"/>.</summary>
    public static double Evaluate(INetwork net, float[] input, float[] workspace, int label, GradientCheckOptions options)
    {
        net.Forward(input, workspace, options.Training, options.DropoutSeed);
        return Loss(workspace.AsSpan(net.LogitsOffset, net.OutputSize), label);
    }

    /// <summary>One Forward and one Backward into a zeroed buffer: the gradient the network reports.</summary>
    public static float[] AnalyticGradient(INetwork net, float[] input, int label, GradientCheckOptions options)
    {
        var workspace = new float[net.WorkspaceSize];
        net.Forward(input, workspace, options.Training, options.DropoutSeed);
        float[] dLogits = LossGradient(workspace.AsSpan(net.LogitsOffset, net.OutputSize), label).Select(d => (float)d).ToArray();
        var gradients = new float[net.ParameterCount];
        net.Backward(input, workspace, dLogits, gradients);
        return gradients;
    }

    /// <summary>Names parameter <paramref name="index"/> of the flat buffer, e.g. "conv1.weight[17] (0, 0, 3, 2)".</summary>
    public static string ParameterName(INetwork net, int index)
    {
        foreach (LayerInfo layer in net.Layers)
        {
            foreach (TensorInfo t in layer.Tensors.Where(t => !t.IsBuffer))
            {
                if (index >= t.Offset && index < t.Offset + t.Length)
                {
                    int local = index - t.Offset;
                    var coordinates = new int[t.Shape.Count];
                    int rest = local;
                    for (int d = t.Shape.Count - 1; d >= 0; d--)
                    {
                        coordinates[d] = rest % t.Shape[d];
                        rest /= t.Shape[d];
                    }

                    return string.Create(CultureInfo.InvariantCulture, $"{t.Key}[{local}] ({string.Join(", ", coordinates)})");
                }
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"parameter {index} (in no tensor of net.Layers)");
    }

    /// <summary>The key of the tensor that holds parameter <paramref name="index"/> ("conv1.weight").</summary>
    public static string TensorOf(INetwork net, int index)
    {
        foreach (LayerInfo layer in net.Layers)
        {
            foreach (TensorInfo t in layer.Tensors.Where(t => !t.IsBuffer))
            {
                if (index >= t.Offset && index < t.Offset + t.Length)
                {
                    return t.Key;
                }
            }
        }

        return "-";
    }

    /// <summary>The parameters to check: all of them, or every bias plus a random sample of each weight tensor.</summary>
    public static List<int> SelectParameters(INetwork net, GradientCheckOptions options)
    {
        var indices = new List<int>();
        var rng = new Rng(options.Seed ^ 0x5A3B1EUL);
        foreach (LayerInfo layer in net.Layers)
        {
            foreach (TensorInfo t in layer.Tensors.Where(t => !t.IsBuffer))
            {
                if (options.WeightsPerTensor is not int sample || t.Key.EndsWith(".bias", StringComparison.Ordinal) || t.Length <= sample)
                {
                    indices.AddRange(Enumerable.Range(t.Offset, t.Length));
                    continue;
                }

                int[] order = Enumerable.Range(0, t.Length).ToArray();
                rng.Shuffle(order);
                indices.AddRange(order.Take(sample).Order().Select(i => t.Offset + i));
            }
        }

        return indices;
    }

    /// <summary>
    /// Randomizes the biases of <paramref name="net"/>, runs the check and returns what it found; call
    /// <see cref="GradientCheckResult.AssertPassed"/> on the result.
    /// </summary>
    public static GradientCheckResult Run(INetwork net, GradientCheckOptions? options = null)
    {
        options ??= new GradientCheckOptions();
        Assert.True(net.ParameterCount > 0, "The network has no parameters to check.");
        net.KernelPath = options.Path;
        RandomizeBiases(net, options.Seed);
        float[] input = RandomInput(net, options.Seed, options.InputMin, options.InputMax);
        int label = RandomLabel(net, options.Seed);

        float[] analytic = AnalyticGradient(net, input, label, options);
        for (int j = 0; j < analytic.Length; j++)
        {
            if (!float.IsFinite(analytic[j]))
            {
                Assert.Fail("Backward produced a non-finite gradient for " + ParameterName(net, j) + ".");
            }
        }

        var probe = new Probe(net, input, label, options);
        List<int> indices = SelectParameters(net, options);
        double lossNoise = probe.MeasureNoise(indices, options.Seed);

        var failures = new List<ParameterCheck>();
        var skipped = new List<ParameterCheck>();
        ParameterCheck? worst = null;
        int retried = 0;
        foreach (int j in indices)
        {
            ParameterCheck outcome = null!;
            string verdict = "skipped";
            float step = options.Step;
            for (int attempt = 0; attempt < 4; attempt++, step /= 4)
            {
                Probe.Step s = probe.Central(j, step);
                double a = analytic[j];
                double error = Math.Abs(a - s.Numeric);
                double scale = Math.Max(options.Floor, Math.Abs(a) + Math.Abs(s.Numeric));
                double allowance = 4 * lossNoise / s.Width;
                outcome = new ParameterCheck(j, TensorOf(net, j), ParameterName(net, j), a, s.Numeric, error / scale, allowance, step);
                if (error <= (options.Tolerance * scale) + allowance)
                {
                    verdict = "passed";
                    retried += attempt > 0 ? 1 : 0;
                    break;
                }

                if (!s.Kink)
                {
                    // Before failing, this parameter's own rounding noise: parameters that feed many sums (the
                    // first convolution's weights) make the loss noisier than the median parameter does.
                    double local = 4 * Math.Max(lossNoise, probe.LocalNoise(j)) / s.Width;
                    outcome = outcome with { NoiseAllowance = local };
                    verdict = error <= (options.Tolerance * scale) + local ? "passed" : "failed";
                    retried += verdict == "passed" && attempt > 0 ? 1 : 0;
                    break;
                }
            }

            switch (verdict)
            {
                case "skipped":
                    skipped.Add(outcome);
                    continue;
                case "failed":
                    failures.Add(outcome);
                    break;
            }

            if (worst is null || outcome.Score(options) > worst.Score(options))
            {
                worst = outcome;
            }
        }

        return new GradientCheckResult
        {
            Network = net.GetType().Name,
            Options = options,
            Checked = indices.Count,
            CheckedPerTensor = indices.GroupBy(j => TensorOf(net, j)).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            Failures = failures,
            Skipped = skipped,
            Retried = retried,
            Worst = worst,
            LossNoise = lossNoise,
        };
    }

    /// <summary>Evaluates the loss with one parameter moved, and what the move did to the workspace.</summary>
    private sealed class Probe
    {
        /// <summary>Largest |w(θ + h) + w(θ − h) − 2 w(θ)| / |w(θ + h) − w(θ − h)| of an activation that counts as smooth.</summary>
        private const double AffineTolerance = 1e-3;

        /// <summary>Second differences below this × (1 + |w|) are float rounding, not a kink.</summary>
        private const double RoundingFloor = 1e-6;

        private static readonly float[] s_localDeltas = { 1e-4f, 1.3e-4f, 1.7e-4f, 2.2e-4f };

        private readonly INetwork _net;
        private readonly float[] _input;
        private readonly int _label;
        private readonly GradientCheckOptions _options;
        private readonly float[] _workspace;
        private readonly float[] _base;
        private readonly float[] _plus;
        private readonly double _loss;

        public Probe(INetwork net, float[] input, int label, GradientCheckOptions options)
        {
            _net = net;
            _input = input;
            _label = label;
            _options = options;
            _workspace = new float[net.WorkspaceSize];
            _loss = Evaluate(net, input, _workspace, label, options);
            _base = (float[])_workspace.Clone();
            _plus = new float[net.WorkspaceSize];
        }

        /// <summary>One central difference: the numeric gradient, h₊ + h₋, both losses, and whether the step crossed a kink.</summary>
        public readonly record struct Step(double Numeric, double Width, double PlusLoss, double MinusLoss, bool Kink);

        /// <summary>The central difference of parameter <paramref name="j"/> with step <paramref name="h"/>.</summary>
        public Step Central(int j, float h)
        {
            Span<float> p = _net.Parameters;
            float theta = p[j];
            float up = theta + h, down = theta - h;
            p[j] = up;
            double fp = Evaluate(_net, _input, _workspace, _label, _options);
            _workspace.CopyTo(_plus, 0);
            p[j] = down;
            double fm = Evaluate(_net, _input, _workspace, _label, _options);
            p[j] = theta;

            double width = ((double)up - theta) + (theta - (double)down);
            return new Step((fp - fm) / width, width, fp, fm, CrossedKink());
        }

        /// <summary>
        /// Whether some activation in the workspace switched between zero and non-zero (a ReLU crossed zero), or
        /// is not affine over the step (a max-pool window changed its winner, or a ReLU below it did).
        /// </summary>
        private bool CrossedKink()
        {
            for (int i = 0; i < _base.Length; i++)
            {
                double c = _base[i], plus = _plus[i], minus = _workspace[i];
                if ((c == 0) != (plus == 0) || (c == 0) != (minus == 0))
                {
                    return true;
                }

                double second = Math.Abs(plus + minus - (2 * c));
                if (second > (AffineTolerance * Math.Abs(plus - minus)) + (RoundingFloor * (1 + Math.Abs(c))))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The largest |L(θ + δ) + L(θ − δ) − 2 L(θ)| of parameter <paramref name="j"/> over four δ from 1e-4 to 2.2e-4.</summary>
        public double LocalNoise(int j)
        {
            double noise = 0;
            foreach (float delta in s_localDeltas)
            {
                Step s = Central(j, delta);
                noise = Math.Max(noise, Math.Abs(s.PlusLoss + s.MinusLoss - (2 * _loss)));
            }

            return noise;
        }

        /// <summary>
        /// The median, over up to 16 parameters that move the loss, of |L(θ + δ) + L(θ − δ) − 2 L(θ)|: the float
        /// rounding noise of the loss.
        /// </summary>
        public double MeasureNoise(List<int> indices, ulong seed)
        {
            int[] order = indices.ToArray();
            var rng = new Rng(seed ^ 0x4015EUL);
            rng.Shuffle(order);
            var loss = new List<double>();
            foreach (int j in order.Take(4 * NoiseProbes))
            {
                // Only parameters that move the loss at all (many biases feed ReLUs that are off) show its noise.
                Step s = Central(j, NoiseDelta);
                if (s.PlusLoss == _loss && s.MinusLoss == _loss)
                {
                    continue;
                }

                loss.Add(Math.Abs(s.PlusLoss + s.MinusLoss - (2 * _loss)));
                if (loss.Count == NoiseProbes)
                {
                    break;
                }
            }

            loss.Sort();
            return loss.Count == 0 ? 0 : loss[loss.Count / 2];
        }
    }
}
