using System;
using Xunit;

namespace NetGen.Tests.Metrics;

public class ClassificationReportTests
{
    /// <summary>
    /// Rows actual, columns predicted:
    /// <code>
    ///          cat dog bird | support
    ///   cat      5   1    0 |  6
    ///   dog      2   3    0 |  5
    ///   bird     1   2    6 |  9
    ///   ---------------------
    ///   predicted 8  6    6 | 20
    /// </code>
    /// </summary>
    private static ConfusionMatrix Example()
    {
        int[,] counts = { { 5, 1, 0 }, { 2, 3, 0 }, { 1, 2, 6 } };
        var matrix = new ConfusionMatrix(3);
        for (int actual = 0; actual < 3; actual++)
        {
            for (int predicted = 0; predicted < 3; predicted++)
            {
                for (int k = 0; k < counts[actual, predicted]; k++)
                {
                    matrix.Add(actual, predicted);
                }
            }
        }

        return matrix;
    }

    [Fact]
    public void Scores_MatchHandComputedValues()
    {
        // cat:  P = 5/8 = 0.625, R = 5/6 = 0.8333333, F1 = 2·5/(6 + 8) = 5/7 = 0.7142857
        // dog:  P = 3/6 = 0.5,   R = 3/5 = 0.6,       F1 = 2·3/(5 + 6) = 6/11 = 0.5454545
        // bird: P = 6/6 = 1,     R = 6/9 = 0.6666667, F1 = 2·6/(9 + 6) = 4/5 = 0.8
        // accuracy = (5 + 3 + 6)/20 = 0.7
        // macro:    P = (0.625 + 0.5 + 1)/3 = 0.7083333, R = (5/6 + 3/5 + 2/3)/3 = 2.1/3 = 0.7,
        //           F1 = (5/7 + 6/11 + 4/5)/3 = (793/385)/3 = 0.6865801
        // weighted: P = (0.625·6 + 0.5·5 + 1·9)/20 = 15.25/20 = 0.7625, R = (5 + 3 + 6)/20 = 0.7,
        //           F1 = (6·5/7 + 5·6/11 + 9·4/5)/20 = (5472/385)/20 = 0.7106494
        var report = new ClassificationReport(Example(), ["cat", "dog", "bird"]);
        AssertScores(report.Classes[0], "cat", 0.625, 5.0 / 6, 5.0 / 7, 6);
        AssertScores(report.Classes[1], "dog", 0.5, 0.6, 6.0 / 11, 5);
        AssertScores(report.Classes[2], "bird", 1.0, 2.0 / 3, 0.8, 9);
        Assert.Equal(0.7, report.Accuracy, 1e-12);
        Assert.Equal(20, report.Support);
        AssertScores(report.MacroAverage, "macro avg", 2.125 / 3, 0.7, 793.0 / 1155, 20);
        AssertScores(report.WeightedAverage, "weighted avg", 0.7625, 0.7, 5472.0 / 7700, 20);
    }

    [Fact]
    public void Text_IsLaidOutLikeScikitLearn()
    {
        // classification_report(y_true, y_pred, target_names=["cat", "dog", "bird"], digits=4): the first column is
        // right-aligned to len("weighted avg") = 12, then " " and, per column, " " + a 9-wide right-aligned cell.
        string expected =
            "              precision    recall  f1-score   support\n" +
            "\n" +
            "         cat     0.6250    0.8333    0.7143         6\n" +
            "         dog     0.5000    0.6000    0.5455         5\n" +
            "        bird     1.0000    0.6667    0.8000         9\n" +
            "\n" +
            "    accuracy                         0.7000        20\n" +
            "   macro avg     0.7083    0.7000    0.6866        20\n" +
            "weighted avg     0.7625    0.7000    0.7106        20\n";
        Assert.Equal(expected, new ClassificationReport(Example(), ["cat", "dog", "bird"]).ToString());
    }

    [Fact]
    public void Text_WithTwoDigitsAndALongClassName()
    {
        // digits=2; "a rather long name" (18 characters) widens the first column past "weighted avg".
        string expected =
            "                    precision    recall  f1-score   support\n" +
            "\n" +
            "a rather long name       0.62      0.83      0.71         6\n" +
            "                 1       0.50      0.60      0.55         5\n" +
            "                 2       1.00      0.67      0.80         9\n" +
            "\n" +
            "          accuracy                           0.70        20\n" +
            "         macro avg       0.71      0.70      0.69        20\n" +
            "      weighted avg       0.76      0.70      0.71        20\n";
        string[] names = ["a rather long name", "1", "2"];
        Assert.Equal(expected, new ClassificationReport(Example(), names).ToString(2));
    }

    [Fact]
    public void DefaultNames_AreTheClassIndices()
    {
        var report = new ClassificationReport(Example());
        Assert.Equal(["0", "1", "2"], new[] { report.Classes[0].Name, report.Classes[1].Name, report.Classes[2].Name });
        Assert.StartsWith("              precision", report.ToString(), StringComparison.Ordinal);
        Assert.Contains("\n           0     0.6250", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UndefinedRatios_CountAsZero()
    {
        // actual 0 → predicted 0 twice; actual 1 → predicted 0 once; class 2 never occurs.
        // class 0: P = 2/3, R = 1, F1 = 2·2/(2 + 3) = 0.8
        // class 1: never predicted → P = 0 (0/0), R = 0/1 = 0, F1 = 0/(1 + 0) = 0
        // class 2: P = R = F1 = 0 (all 0/0), support 0
        // macro: (2/3)/3 = 0.2222, 1/3, 0.8/3 = 0.2667; weighted by supports (2, 1, 0): 4/9, 2/3, 1.6/3
        var matrix = new ConfusionMatrix(3);
        matrix.Add(0, 0);
        matrix.Add(0, 0);
        matrix.Add(1, 0);
        var report = new ClassificationReport(matrix);
        AssertScores(report.Classes[0], "0", 2.0 / 3, 1, 0.8, 2);
        AssertScores(report.Classes[1], "1", 0, 0, 0, 1);
        AssertScores(report.Classes[2], "2", 0, 0, 0, 0);
        AssertScores(report.MacroAverage, "macro avg", 2.0 / 9, 1.0 / 3, 0.8 / 3, 3);
        AssertScores(report.WeightedAverage, "weighted avg", 4.0 / 9, 2.0 / 3, 1.6 / 3, 3);
        Assert.Equal(2.0 / 3, report.Accuracy, 1e-12);
    }

    [Fact]
    public void EmptyMatrix_ScoresZero()
    {
        var report = new ClassificationReport(new ConfusionMatrix(2));
        Assert.Equal(0, report.Accuracy);
        AssertScores(report.WeightedAverage, "weighted avg", 0, 0, 0, 0);
        Assert.Contains("    accuracy                         0.0000         0\n", report.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    // Python rounds the exact binary value half to even: 0.03125 and 0.09375 are exact ties at 4 digits.
    [InlineData(0.03125, 4, "0.0312")]
    [InlineData(0.09375, 4, "0.0938")]
    [InlineData(0.5, 0, "0")]
    [InlineData(1.5, 0, "2")]
    [InlineData(2.5, 0, "2")]
    [InlineData(0.00005, 4, "0.0001")] // the double just above 5e-5: not a tie
    [InlineData(1.0, 4, "1.0000")]
    [InlineData(0.0, 2, "0.00")]
    [InlineData(2.0 / 3, 4, "0.6667")]
    [InlineData(123.456, 1, "123.5")]
    public void Numbers_AreRoundedLikePython(double value, int digits, string expected) =>
        Assert.Equal(expected, ClassificationReport.FormatFixed(value, digits));

    [Fact]
    public void InvalidArguments_AreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => new ClassificationReport(null!));
        Assert.Equal("classNames", Assert.Throws<ArgumentException>(() => new ClassificationReport(Example(), ["a", "b"])).ParamName);
        Assert.Equal("digits", Assert.Throws<ArgumentOutOfRangeException>(() => new ClassificationReport(Example()).ToString(-1)).ParamName);
    }

    private static void AssertScores(ClassScores actual, string name, double precision, double recall, double f1, long support)
    {
        Assert.Equal(name, actual.Name);
        Assert.Equal(precision, actual.Precision, 1e-12);
        Assert.Equal(recall, actual.Recall, 1e-12);
        Assert.Equal(f1, actual.F1Score, 1e-12);
        Assert.Equal(support, actual.Support);
    }
}
