using System;

namespace NetGen;

/// <summary>What early stopping watches on the validation set after each epoch.</summary>
public enum EarlyStoppingMonitor
{
    /// <summary>The validation loss; lower is better.</summary>
    ValidationLoss,

    /// <summary>The validation accuracy; higher is better.</summary>
    ValidationAccuracy,
}

/// <summary>
/// Stops training when the monitored validation figure has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs in a row, as Keras' and Lightning's <c>EarlyStopping</c> do, and optionally puts
/// back the weights (and BatchNorm statistics) of the best epoch.
/// </summary>
public sealed record EarlyStopping
{
    /// <summary>Creates the rule.</summary>
    /// <param name="patience">Epochs without improvement tolerated, ≥ 1.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement, ≥ 0.</param>
    /// <param name="monitor">The figure watched.</param>
    /// <param name="restoreBestWeights">Whether the network ends with the best epoch's weights.</param>
    public EarlyStopping(int patience, float minDelta = 0f, EarlyStoppingMonitor monitor = EarlyStoppingMonitor.ValidationLoss, bool restoreBestWeights = true)
    {
        if (patience <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping: expected patience ≥ 1 (epochs without improvement tolerated).");
        }

        if (!(minDelta >= 0f && float.IsFinite(minDelta)))
        {
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "EarlyStopping: expected minDelta finite and ≥ 0.");
        }

        Patience = patience;
        MinDelta = minDelta;
        Monitor = monitor;
        RestoreBestWeights = restoreBestWeights;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public float MinDelta { get; }

    /// <summary>The figure watched.</summary>
    public EarlyStoppingMonitor Monitor { get; }

    /// <summary>Whether the network ends with the best epoch's weights.</summary>
    public bool RestoreBestWeights { get; }
}
