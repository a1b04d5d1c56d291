using System;
using Xunit;

namespace NetGen.Tests.Training;

public class DatasetTargetsTests
{
    [Fact]
    public void Targets_AreSlicedPerSample_AndKeptByTake()
    {
        var data = new Dataset([1, 2, 3, 4, 5, 6], [0, 1, 1], [2], 2, targets: [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f]);
        Assert.Equal(2, data.TargetSize);
        Assert.Equal([0.3f, 0.4f], data.Target(1).ToArray());
        Assert.Equal([0.5f, 0.6f], data.Target(2).ToArray());

        Dataset first = data.Take(2);
        Assert.Equal(2, first.TargetSize);
        Assert.NotNull(first.Targets);
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], first.Targets);
        Assert.NotSame(data.Targets, first.Targets);
        Assert.Equal([0.3f, 0.4f], first.Target(1).ToArray());
    }

    [Fact]
    public void WithoutTargets_TargetIsEmpty()
    {
        var data = new Dataset([1, 2, 3, 4], [0, 1], [2], 2);
        Assert.Equal(0, data.TargetSize);
        Assert.Null(data.Targets);
        Assert.True(data.Target(1).IsEmpty);
        Assert.Null(data.Take(1).Targets);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => data.Target(2)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Target(-1));
    }

    [Theory]
    [InlineData(5)] // not a multiple of the 2 samples
    [InlineData(0)] // samples but no values
    public void TargetsThatDoNotDivideEvenly_AreRejected(int length)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Dataset([1, 2, 3, 4], [0, 1], [2], 2, targets: new float[length]));
        Assert.Equal("targets", ex.ParamName);
        Assert.Contains($"got {length} values", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyDataSet_TakesOnlyEmptyTargets()
    {
        Assert.Equal(0, new Dataset([], [], [3], 2, targets: []).TargetSize);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => new Dataset([], [], [3], 2, targets: [1f])).ParamName);
    }
}
