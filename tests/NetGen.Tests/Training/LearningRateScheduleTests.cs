using System;
using Xunit;

namespace NetGen.Tests.Training;

public class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(999, 7)]
    public void Constant_IsOne(int step, int stepsPerEpoch) =>
        Assert.Equal(1f, LearningRateSchedule.Constant().Factor(step, stepsPerEpoch));

    [Theory]
    // StepDecay(every 2 epochs, γ 0.5), 10 steps per epoch: epoch = step / 10, factor = 0.5^(epoch / 2).
    [InlineData(0, 1f)] // epoch 0
    [InlineData(19, 1f)] // epoch 1, last step
    [InlineData(20, 0.5f)] // epoch 2, first step
    [InlineData(39, 0.5f)] // epoch 3
    [InlineData(40, 0.25f)] // epoch 4
    [InlineData(65, 0.125f)] // epoch 6
    public void StepDecay_DropsEveryFewEpochs(int step, float expected) =>
        Assert.Equal(expected, LearningRateSchedule.StepDecay(2, 0.5f).Factor(step, 10));

    [Fact]
    public void StepDecay_WithGammaPointOne()
    {
        // every epoch, γ 0.1, 3 steps per epoch: step 7 is in epoch 2 → 0.1² = 0.01.
        Assert.Equal(0.01f, LearningRateSchedule.StepDecay(1, 0.1f).Factor(7, 3), 1e-8f);
    }

    [Theory]
    // Cosine over 2 epochs of 5 steps (T = 10): (1 + cos(π·step/10)) / 2.
    [InlineData(0, 0f, 1.0)]
    [InlineData(3, 0f, 0.7938926)] // (1 + cos(0.3π)) / 2 = (1 + 0.5877853) / 2
    [InlineData(5, 0f, 0.5)] // cos(π/2) = 0
    [InlineData(10, 0f, 0.0)] // the end
    [InlineData(15, 0f, 0.0)] // stays at the minimum afterwards
    [InlineData(5, 0.1f, 0.55)] // 0.1 + 0.9·0.5
    [InlineData(10, 0.1f, 0.1)]
    [InlineData(12, 0.1f, 0.1)]
    public void Cosine_AnnealsPerStep(int step, float minFactor, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.Cosine(2, minFactor).Factor(step, 5), 1e-6);

    [Theory]
    // Warm-up over 4 steps: (step + 1) / 4 times the inner factor, then the inner factor.
    [InlineData(0, 0.25f)]
    [InlineData(1, 0.5f)]
    [InlineData(3, 1f)]
    [InlineData(4, 1f)]
    [InlineData(100, 1f)]
    public void WarmUp_OnConstant(int step, float expected) =>
        Assert.Equal(expected, LearningRateSchedule.Constant().WithWarmUp(4).Factor(step, 3));

    [Theory]
    // Cosine(2 epochs of 5 steps) with a 4-step warm-up: step 1 → 2/4 · (1 + cos(0.1π))/2 = 0.5 · 0.9755283 = 0.4877641;
    // step 5 → past the warm-up, cos(π/2): 0.5; step 3 → 4/4 · 0.7938926.
    [InlineData(1, 0.4877641)]
    [InlineData(3, 0.7938926)]
    [InlineData(5, 0.5)]
    public void WarmUp_MultipliesTheInnerScheduleAtTheSameStep(int step, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.Cosine(2).WithWarmUp(4).Factor(step, 5), 1e-6);

    [Fact]
    public void WarmUpOfZeroSteps_ChangesNothing()
    {
        LearningRateSchedule inner = LearningRateSchedule.StepDecay(1, 0.5f);
        Assert.Equal(inner.Factor(0, 2), inner.WithWarmUp(0).Factor(0, 2));
        Assert.Equal(0.5f, inner.WithWarmUp(0).Factor(3, 2));
    }

    [Fact]
    public void InvalidArguments_AreRejected()
    {
        Assert.Equal("everyEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.StepDecay(0, 0.5f)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.StepDecay(1, 0f)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.StepDecay(1, float.NaN)).ParamName);
        Assert.Equal("totalEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(0)).ParamName);
        Assert.Equal("minFactor", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(3, 1.5f)).ParamName);
        Assert.Equal("minFactor", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(3, -0.1f)).ParamName);
        Assert.Equal("warmUpSteps", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant().WithWarmUp(-1)).ParamName);
        foreach (LearningRateSchedule schedule in new[] { LearningRateSchedule.Constant(), LearningRateSchedule.StepDecay(1, 0.5f), LearningRateSchedule.Cosine(1), LearningRateSchedule.Cosine(1).WithWarmUp(2) })
        {
            Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Factor(-1, 5)).ParamName);
            Assert.Equal("stepsPerEpoch", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Factor(0, 0)).ParamName);
        }
    }

    [Fact]
    public void Schedules_DescribeThemselves()
    {
        Assert.Equal("Cosine(totalEpochs: 10, minFactor: 0.01).WithWarmUp(500)", LearningRateSchedule.Cosine(10, 0.01f).WithWarmUp(500).ToString());
        Assert.Equal("StepDecay(everyEpochs: 3, gamma: 0.5)", LearningRateSchedule.StepDecay(3, 0.5f).ToString());
    }
}
