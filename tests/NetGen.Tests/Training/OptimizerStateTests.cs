using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Training;

public class OptimizerStateTests
{
    private const int N = 101;

    public static TheoryData<string> Kinds => OptimizerKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ResumedOptimizer_ContinuesBitIdentically(string kind)
    {
        IOptimizer uninterrupted = OptimizerKinds.Create(kind);
        IOptimizer first = OptimizerKinds.Create(kind);
        float[] a = OptimizerKinds.Random(N, 1);
        float[] b = (float[])a.Clone();
        ParameterGroup[] groups = [new(0, 60), new(70, 31, 0.25f)];
        for (int step = 0; step < 6; step++)
        {
            float[] g = OptimizerKinds.Random(N, 50 + (ulong)step);
            uninterrupted.Step(a, g, groups);
            if (step < 3)
            {
                first.Step(b, g, groups);
            }
            else
            {
                if (step == 3)
                {
                    // "Checkpoint": export, drop the optimizer, restore into a fresh one.
                    OptimizerState saved = first.ExportState();
                    first = OptimizerKinds.Create(kind);
                    first.ImportState(saved);
                    Assert.Equal(3, first.StepCount);
                }

                first.Step(b, g, groups);
            }
        }

        Assert.Equal(6, first.StepCount);
        OptimizerKinds.AssertBitIdentical(a, b, "resumed parameters");
        foreach ((string name, float[] buffer) in uninterrupted.ExportState().Buffers)
        {
            OptimizerKinds.AssertBitIdentical(buffer, first.ExportState().Buffers[name], name);
        }
    }

    [Fact]
    public void ExportedState_HasPyTorchsNamesAndKinds()
    {
        (IOptimizer Optimizer, string Kind, string[] Names)[] cases =
        [
            (new Sgd(0.1f), "sgd", []),
            (new Sgd(0.1f, momentum: 0.9f), "sgd", ["momentum_buffer"]),
            (new Adam(), "adam", ["exp_avg", "exp_avg_sq"]),
            (new AdamW(), "adamw", ["exp_avg", "exp_avg_sq"]),
        ];
        foreach ((IOptimizer optimizer, string kind, string[] names) in cases)
        {
            OptimizerState before = optimizer.ExportState();
            Assert.Equal(kind, before.Kind);
            Assert.Equal(0, before.StepCount);
            Assert.Empty(before.Buffers);

            optimizer.Step(new float[5], [1f, 2f, 3f, 4f, 5f]);
            OptimizerState after = optimizer.ExportState();
            Assert.Equal(1, after.StepCount);
            Assert.Equal(names, after.Buffers.Keys.Order(StringComparer.Ordinal).ToArray());
            Assert.All(after.Buffers.Values, b => Assert.Equal(5, b.Length));
        }
    }

    [Fact]
    public void ExportedStateHoldsCopies_AndImportCopiesToo()
    {
        // Adam(lr 0.1), g = 2 on θ = 0: m = 0.2, v = 0.004 after one step.
        var adam = new Adam(0.1f);
        adam.Step(new float[1], [2f]);
        OptimizerState state = adam.ExportState();
        Assert.Equal(0.2f, state.Buffers["exp_avg"][0], 1e-6f);
        Assert.Equal(0.004f, state.Buffers["exp_avg_sq"][0], 1e-6f);

        state.Buffers["exp_avg"][0] = 123f; // not the optimizer's buffer
        Assert.Equal(0.2f, adam.ExportState().Buffers["exp_avg"][0], 1e-6f);

        var restored = new Adam(0.1f);
        restored.ImportState(state);
        state.Buffers["exp_avg"][0] = -7f; // the import took a copy
        Assert.Equal(123f, restored.ExportState().Buffers["exp_avg"][0]);

        adam.Step(new float[1], [2f]);
        Assert.Equal(-7f, state.Buffers["exp_avg"][0]); // a later step does not write into an exported state
    }

    [Fact]
    public void StateOfAnotherKind_IsRejected()
    {
        var adam = new Adam();
        adam.Step(new float[3], new float[3]);
        var ex = Assert.Throws<ArgumentException>(() => new AdamW().ImportState(adam.ExportState()));
        Assert.Equal("state", ex.ParamName);
        Assert.Contains("'adam'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'adamw'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Sgd(0.1f, momentum: 0.9f).ImportState(adam.ExportState()));
    }

    [Fact]
    public void MissingExtraOrMismatchedBuffers_AreRejected()
    {
        float[] three = new float[3];
        var missing = new OptimizerState("adam", 4, new Dictionary<string, float[]> { ["exp_avg"] = three });
        Assert.Contains("exp_avg_sq", Assert.Throws<ArgumentException>(() => new Adam().ImportState(missing)).Message, StringComparison.Ordinal);

        var renamed = new OptimizerState("adam", 4, new Dictionary<string, float[]> { ["exp_avg"] = three, ["v"] = three });
        Assert.Throws<ArgumentException>(() => new Adam().ImportState(renamed));

        var uneven = new OptimizerState("adamw", 4, new Dictionary<string, float[]> { ["exp_avg"] = three, ["exp_avg_sq"] = new float[4] });
        var ex = Assert.Throws<ArgumentException>(() => new AdamW().ImportState(uneven));
        Assert.Contains("same parameters", ex.Message, StringComparison.Ordinal);

        var momentum = new OptimizerState("sgd", 2, new Dictionary<string, float[]> { ["momentum_buffer"] = three });
        Assert.Contains("no buffers", Assert.Throws<ArgumentException>(() => new Sgd(0.1f).ImportState(momentum)).Message, StringComparison.Ordinal);
        var noMomentum = new OptimizerState("sgd", 2, new Dictionary<string, float[]>());
        Assert.Contains("momentum_buffer", Assert.Throws<ArgumentException>(() => new Sgd(0.1f, momentum: 0.9f).ImportState(noMomentum)).Message, StringComparison.Ordinal);

        var notStarted = new OptimizerState("sgd", 0, new Dictionary<string, float[]> { ["momentum_buffer"] = three });
        Assert.Contains("no step", Assert.Throws<ArgumentException>(() => new Sgd(0.1f, momentum: 0.9f).ImportState(notStarted)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateForAnotherParameterCount_IsRejected_ThenAndLater()
    {
        var sized = new Adam();
        sized.Step(new float[4], new float[4]);
        var three = new OptimizerState("adam", 1, new Dictionary<string, float[]> { ["exp_avg"] = new float[3], ["exp_avg_sq"] = new float[3] });
        var ex = Assert.Throws<ArgumentException>(() => sized.ImportState(three));
        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, sized.StepCount); // unchanged by the failed import

        var fresh = new Adam();
        fresh.ImportState(three);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => fresh.Step(new float[4], new float[4])).ParamName);
        fresh.Step(new float[3], new float[3]);
        Assert.Equal(2, fresh.StepCount);
    }

    [Fact]
    public void ImportingAFreshState_ResetsTheOptimizer()
    {
        var sgd = new Sgd(0.1f, momentum: 0.9f);
        float[] theta = [0f];
        sgd.Step(theta, [1f]);
        OptimizerState fresh = new Sgd(0.1f, momentum: 0.9f).ExportState();
        sgd.ImportState(fresh);
        Assert.Equal(0, sgd.StepCount);
        Assert.Empty(sgd.ExportState().Buffers);
        sgd.Step(theta, [1f]); // v = g again (first step), not 0.9·1 + 1
        Assert.Equal(-0.2f, theta[0], 1e-6f);
        sgd.ImportState(fresh);
        sgd.Step(new float[2], new float[2]); // the size is free again after a reset
    }

    [Fact]
    public void StateArguments_AreChecked()
    {
        Assert.Throws<ArgumentException>(() => new OptimizerState(" ", 0, new Dictionary<string, float[]>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerState("adam", -1, new Dictionary<string, float[]>()));
        Assert.Throws<ArgumentNullException>(() => new OptimizerState("adam", 0, null!));
        Assert.Throws<ArgumentException>(() => new OptimizerState("adam", 1, new Dictionary<string, float[]> { ["exp_avg"] = null! }));
        Assert.Throws<ArgumentNullException>(() => new Adam().ImportState(null!));
    }
}
