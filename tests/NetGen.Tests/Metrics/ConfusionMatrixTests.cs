using System;
using Xunit;

namespace NetGen.Tests.Metrics;

public class ConfusionMatrixTests
{
    [Fact]
    public void CountsPairs_RowsActualColumnsPredicted()
    {
        var matrix = new ConfusionMatrix(3);
        matrix.Add(0, 0);
        matrix.Add(0, 0);
        matrix.Add(0, 2);
        matrix.Add(2, 1);
        matrix.Add(1, 1);
        Assert.Equal(3, matrix.Classes);
        Assert.Equal(5, matrix.Total);
        Assert.Equal(2, matrix[0, 0]);
        Assert.Equal(1, matrix[0, 2]);
        Assert.Equal(0, matrix[2, 0]);
        Assert.Equal(1, matrix[2, 1]);
        Assert.Equal(0, matrix[1, 2]);
        Assert.Equal(3.0 / 5, matrix.Accuracy); // diagonal 2 + 1 of 5
    }

    [Fact]
    public void EmptyMatrix_HasAccuracyZero()
    {
        var matrix = new ConfusionMatrix(2);
        Assert.Equal(0, matrix.Total);
        Assert.Equal(0.0, matrix.Accuracy);
    }

    [Fact]
    public void InvalidArguments_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(0));
        var matrix = new ConfusionMatrix(2);
        Assert.Equal("actual", Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(2, 0)).ParamName);
        Assert.Equal("predicted", Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(0, -1)).ParamName);
        Assert.Equal("actual", Assert.Throws<ArgumentOutOfRangeException>(() => matrix[-1, 0]).ParamName);
        Assert.Equal("predicted", Assert.Throws<ArgumentOutOfRangeException>(() => matrix[0, 2]).ParamName);
        Assert.Equal(0, matrix.Total);
    }
}
