using System;
using System.Linq;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>
/// The device draws dropout masks from a hash, not from the CPU's generator, so its masks differ from the CPU's:
/// these tests check what must hold anyway. With one sample, the gradient of the Dense after the dropout is
/// g[o]·mask[i]·x[i], so its zero columns are the dropped inputs and the others carry x scaled by 1 / (1 − rate).
/// </summary>
[Collection(GpuTests.Name)]
public sealed class DropoutTests(GpuFixture gpu)
{
    [Fact]
    public void Masks_DropAboutTheRate_ScaleTheRest_AndRepeatForTheSameSeed()
    {
        var net = new GpuDropoutNet(1);
        Dataset data = DeviceOracle.RandomData(net, 3, 2);
        using var trainer = new GpuTrainer(net, new Sgd(0f), gpu.Simple);
        float[] Mask(int sample, ulong seed)
        {
            trainer.TrainBatch(data, [sample], seed);
            var gradients = new float[GpuDropoutNet.ParameterCount];
            trainer.CopyGradients(gradients);
            float[] x = data.Sample(sample).ToArray();
            // Row 0 of dense1's weight gradient over x: 2 where kept (1 / (1 − 0.5)), 0 where dropped, times g[0].
            float[] ratio = Enumerable.Range(0, 400).Select(i => gradients[i] / x[i]).ToArray();
            float g = ratio.First(r => r != 0f) / 2f;
            return ratio.Select(r => r / g).ToArray();
        }

        float[] first = Mask(0, 10);
        Assert.All(first, m => Assert.True(MathF.Abs(m) < 1e-4f || MathF.Abs(m - 2f) < 1e-3f, "mask value " + m));
        int dropped = first.Count(m => MathF.Abs(m) < 1e-4f);
        Assert.InRange(dropped, 150, 250); // 400 draws at rate 0.5: 200 ± 5σ
        Assert.Equal(first.Select(m => m > 1f), Mask(0, 10).Select(m => m > 1f));
        Assert.NotEqual(first.Select(m => m > 1f), Mask(0, 11).Select(m => m > 1f));
        Assert.NotEqual(first.Select(m => m > 1f), Mask(1, 10).Select(m => m > 1f));
    }

    [Fact]
    public void Evaluation_IsTheIdentity_AsOnTheCpu()
    {
        var net = new GpuDropoutNet(3);
        Dataset data = DeviceOracle.RandomData(net, 4, 4);
        using var trainer = new GpuTrainer(net, new Sgd(0.1f), gpu.Simple);
        DeviceOracle.AssertOutputsAgree(new GpuDropoutNet(3), trainer, data);
    }
}
