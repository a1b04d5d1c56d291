using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Training;

public class OptimizerGroupsTests
{
    public static TheoryData<string> Kinds => OptimizerKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FrozenRanges_StayBitIdentical_AndKeepTheirState(string kind)
    {
        const int n = 40;
        IOptimizer optimizer = OptimizerKinds.Create(kind);
        float[] theta = OptimizerKinds.Random(n, 1);
        optimizer.Step(theta, OptimizerKinds.Random(n, 2)); // every element gets state first

        float[] thetaBefore = (float[])theta.Clone();
        Dictionary<string, float[]> stateBefore = OptimizerKinds.Buffers(optimizer);
        ParameterGroup[] groups = [new(25, 5, 0.5f), new(0, 10)];
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step(theta, OptimizerKinds.Random(n, 10 + (ulong)step), groups);
        }

        Dictionary<string, float[]> stateAfter = OptimizerKinds.Buffers(optimizer);
        Assert.Equal(4, optimizer.StepCount);
        foreach ((int from, int to) in new[] { (10, 25), (30, 40) })
        {
            OptimizerKinds.AssertBitIdentical(thetaBefore.AsSpan(from, to - from), theta.AsSpan(from, to - from), $"frozen parameters [{from}, {to})");
            foreach ((string name, float[] buffer) in stateBefore)
            {
                OptimizerKinds.AssertBitIdentical(buffer.AsSpan(from, to - from), stateAfter[name].AsSpan(from, to - from), $"{name} of frozen [{from}, {to})");
            }
        }

        foreach ((int from, int to) in new[] { (0, 10), (25, 30) })
        {
            for (int i = from; i < to; i++)
            {
                Assert.NotEqual(thetaBefore[i], theta[i]);
            }
        }
    }

    [Fact]
    public void ScaledGroups_HandComputed()
    {
        // θ = 1, g = 1 everywhere, lr 0.1; group [0, 2) at scale 1, group [2, 4) at scale 0.5, [4, 5) frozen.
        // SGD: θ = 1 − 0.1·s·1 → 0.9, 0.95, 1.
        // SGD, Nesterov μ 0.9: v = 1, d = 1 + 0.9 = 1.9, θ = 1 − 0.1·s·1.9 → 0.81, 0.905, 1.
        // Adam (first step moves lr·s·sign(g)): 0.9, 0.95, 1.
        // AdamW, λ = 0.5: θ·(1 − 0.1·s·0.5) − 0.1·s → s = 1: 0.95 − 0.1 = 0.85; s = 0.5: 0.975 − 0.05 = 0.925; frozen 1.
        ParameterGroup[] groups = [new(0, 2), new(2, 2, 0.5f)];
        (IOptimizer Optimizer, float Full, float Half)[] cases =
        [
            (new Sgd(0.1f), 0.9f, 0.95f),
            (new Sgd(0.1f, momentum: 0.9f, nesterov: true), 0.81f, 0.905f),
            (new Adam(0.1f), 0.9f, 0.95f),
            (new AdamW(0.1f, weightDecay: 0.5f), 0.85f, 0.925f),
        ];
        foreach ((IOptimizer optimizer, float full, float half) in cases)
        {
            float[] theta = [1f, 1f, 1f, 1f, 1f];
            optimizer.Step(theta, [1f, 1f, 1f, 1f, 1f], groups);
            Assert.Equal(full, theta[0], 1e-6f);
            Assert.Equal(full, theta[1], 1e-6f);
            Assert.Equal(half, theta[2], 1e-6f);
            Assert.Equal(half, theta[3], 1e-6f);
            Assert.Equal(1f, theta[4]);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GroupsCoveringEverything_MatchTheUngroupedStepBitForBit(string kind)
    {
        const int n = 1003;
        IOptimizer whole = OptimizerKinds.Create(kind);
        IOptimizer single = OptimizerKinds.Create(kind);
        IOptimizer split = OptimizerKinds.Create(kind);
        float[] a = OptimizerKinds.Random(n, 3);
        float[] b = (float[])a.Clone();
        float[] c = (float[])a.Clone();
        ParameterGroup[] all = [new(0, n)];
        ParameterGroup[] pieces = [new(501, 502), new(0, 7), new(7, 494), new(501, 0)]; // unordered, odd offsets, an empty one
        for (int step = 0; step < 3; step++)
        {
            float[] g = OptimizerKinds.Random(n, 20 + (ulong)step);
            whole.Step(a, g);
            single.Step(b, g, all);
            split.Step(c, g, pieces);
        }

        OptimizerKinds.AssertBitIdentical(a, b, "one group");
        OptimizerKinds.AssertBitIdentical(a, c, "adjacent groups");
    }

    [Fact]
    public void AdamRangeUnfrozenLater_TakesAFirstStep_AsPyTorchCountsPerTensor()
    {
        // Element 1 is frozen at step 1 and first updated at step 2. PyTorch counts steps per tensor, so its first
        // update has t = 1: m̂ = g, v̂ = g², θ = 1 − 0.1·g/(|g| + ε) = 0.9 (element 0, at t = 2, reaches 0.8). With
        // the optimizer's count (t = 2) it would have moved by 0.0744 only; after many frozen steps, by up to 6.5×
        // more than lr per step while v builds up.
        var adam = new Adam(0.1f);
        float[] theta = [1f, 1f];
        adam.Step(theta, [1f, 1f], [new ParameterGroup(0, 1)]);
        Assert.Equal(1f, theta[1]);
        adam.Step(theta, [1f, 1f]);
        Assert.Equal(0.8f, theta[0], 1e-6f);
        Assert.Equal(0.9f, theta[1], 1e-6f);
        Assert.Equal(2, adam.StepCount);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void AdamLayerUnfrozenAfterManySteps_MovesByTheLearningRate_ThenContinuesLikeAFreshOptimizer(string kind)
    {
        // 50 steps on [0, 6) only, then everything: [6, 10) must move exactly as a fresh optimizer moves it.
        IOptimizer optimizer = OptimizerKinds.Create(kind), fresh = OptimizerKinds.Create(kind);
        float[] theta = OptimizerKinds.Random(10, 1);
        float[] late = theta[6..];
        for (int step = 0; step < 50; step++)
        {
            optimizer.Step(theta, OptimizerKinds.Random(10, 100 + (ulong)step), [new ParameterGroup(0, 6)]);
        }

        for (int step = 0; step < 5; step++)
        {
            float[] g = OptimizerKinds.Random(10, 200 + (ulong)step);
            optimizer.Step(theta, g);
            fresh.Step(late, g.AsSpan(6));
        }

        OptimizerKinds.AssertBitIdentical(late, theta.AsSpan(6).ToArray(), "the late layer");
        OptimizerState state = optimizer.ExportState();
        Assert.Equal(55, state.StepCount);
        Assert.Equal(Enumerable.Repeat(55f, 6).Concat(Enumerable.Repeat(5f, 4)), state.Buffers["step"]);
        Assert.False(fresh.ExportState().Buffers.ContainsKey("step"));    // uniform counts: PyTorch's layout only
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(4f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void AdamStepCountsOutsideTheStateAreRejected(float count)
    {
        var adam = new Adam(0.1f);
        var buffers = new Dictionary<string, float[]> { ["exp_avg"] = new float[3], ["exp_avg_sq"] = new float[3], ["step"] = [3, count, 0] };
        ArgumentException error = Assert.Throws<ArgumentException>(() => adam.ImportState(new OptimizerState("adam", 3, buffers)));
        Assert.Contains("'step'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NoGroups_ChangeNothingButCountTheStep(string kind)
    {
        IOptimizer optimizer = OptimizerKinds.Create(kind);
        float[] theta = OptimizerKinds.Random(9, 4);
        float[] before = (float[])theta.Clone();
        optimizer.Step(theta, OptimizerKinds.Random(9, 5), []);
        OptimizerKinds.AssertBitIdentical(before, theta, "parameters");
        Assert.Equal(1, optimizer.StepCount);
        foreach (float[] buffer in optimizer.ExportState().Buffers.Values)
        {
            Assert.Equal(9, buffer.Length);
            Assert.All(buffer, x => Assert.Equal(0f, x));
        }
    }

    [Theory]
    [InlineData(0, 11, "lie inside")]
    [InlineData(-1, 2, "lie inside")]
    [InlineData(3, -1, "lie inside")]
    [InlineData(10, 1, "lie inside")]
    public void GroupsOutOfRange_AreRejected(int offset, int length, string message)
    {
        foreach (string kind in new[] { "sgd", "sgd-momentum", "adam", "adamw" })
        {
            IOptimizer optimizer = OptimizerKinds.Create(kind);
            float[] theta = new float[10];
            var ex = Assert.Throws<ArgumentException>(() => optimizer.Step(theta, new float[10], [new ParameterGroup(offset, length)]));
            Assert.Equal("groups", ex.ParamName);
            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
            Assert.Equal(0, optimizer.StepCount);
            Assert.Empty(optimizer.ExportState().Buffers);
        }
    }

    [Fact]
    public void OverlappingGroups_AreRejected_InAnyOrder()
    {
        var adam = new Adam();
        var ex = Assert.Throws<ArgumentException>(() => adam.Step(new float[10], new float[10], [new(5, 5), new(8, 0), new(0, 6)]));
        Assert.Equal("groups", ex.ParamName);
        Assert.Contains("Groups 0 [5, 10) and 2 [0, 6) overlap", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new Sgd(0.1f).Step(new float[10], new float[10], [new(0, 6), new(5, 5)]));
        Assert.Contains("overlap", ex.Message, StringComparison.Ordinal);

        // Touching and unordered but disjoint groups are fine.
        new Sgd(0.1f).Step(new float[10], new float[10], [new(5, 5), new(0, 5)]);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-0.5f)]
    [InlineData(float.PositiveInfinity)]
    public void InvalidScales_AreRejected(float scale)
    {
        var ex = Assert.Throws<ArgumentException>(() => new AdamW().Step(new float[4], new float[4], [new ParameterGroup(0, 4, scale)]));
        Assert.Equal("groups", ex.ParamName);
        Assert.Contains("scale", ex.Message, StringComparison.Ordinal);
    }
}
