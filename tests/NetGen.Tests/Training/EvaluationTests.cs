using System;
using Xunit;

namespace NetGen.Tests.Training;

public class EvaluationTests
{
    [Fact]
    public void Accuracy_CountsArgMaxHits()
    {
        var net = new LinearSoftmaxNetwork(2, 2);
        net.Parameters.Clear();
        net.Weights[0] = 1f; // class 0 score = x0
        net.Weights[3] = 1f; // class 1 score = x1
        var data = new Dataset([1, 0, 0, 1, 2, 1, 1, 3], [0, 1, 0, 0], [2], 2);

        Assert.Equal(0.75f, Evaluation.Accuracy(net, data));
    }

    [Fact]
    public void Accuracy_WorksAcrossSeveralChunks()
    {
        Dataset data = ToyData.Clusters(700, 3, 4, seed: 5);
        var net = new LinearSoftmaxNetwork(4, 3);
        net.Parameters.Clear();
        for (int c = 0; c < 3; c++)
        {
            net.Weights[(c * 4) + c] = 1f; // the cluster's own axis wins
        }

        Assert.Equal(1f, Evaluation.Accuracy(net, data));
        net.Weights.Clear();
        net.Bias[1] = 1f; // always class 1: a third of the samples
        Assert.Equal(233f / 700f, Evaluation.Accuracy(net, data));
    }

    [Fact]
    public void ArgMax_PrefersTheFirstOfTiesAndSkipsNaN()
    {
        Assert.Equal(1, Evaluation.ArgMax([0f, 2f, 2f, 1f]));
        Assert.Equal(2, Evaluation.ArgMax([float.NaN, -5f, 3f]));
        Assert.Equal(0, Evaluation.ArgMax([-1f]));
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Evaluation.ArgMax([])).ParamName);
    }

    [Fact]
    public void Accuracy_RejectsMismatchedData()
    {
        var net = new LinearSoftmaxNetwork(3, 2);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => Evaluation.Accuracy(net, ToyData.Clusters(4, 2, 4, seed: 1))).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => Evaluation.Accuracy(net, ToyData.Clusters(6, 3, 3, seed: 1))).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => Evaluation.Accuracy(net, new Dataset([], [], [3], 2))).ParamName);
    }
}
