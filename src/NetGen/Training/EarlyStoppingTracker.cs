using System;

namespace NetGen;

/// <summary>
/// The bookkeeping of <see cref="EarlyStopping"/> across a run, shared by the CPU and GPU trainers: the best
/// monitored figure, the epochs since it, and a copy of the best epoch's weights when they are to be restored.
/// </summary>
internal sealed class EarlyStoppingTracker(EarlyStopping? rule)
{
    private float _best = float.NaN;
    private int _sinceBest;
    private float[]? _bestParameters;
    private float[]? _bestBuffers;

    /// <summary>The best epoch (from 1) with early stopping; null without it.</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>
    /// Records an epoch's validation figures. When it is the best so far and the rule restores weights,
    /// <paramref name="snapshot"/> copies the current parameters and buffers into the arrays it is given.
    /// </summary>
    /// <returns>True when training should stop: <see cref="EarlyStopping.Patience"/> epochs without improvement.</returns>
    public bool Observe(EpochResult result, int parameterCount, int bufferCount, Action<float[], float[]> snapshot)
    {
        if (rule is null)
        {
            return false;
        }

        float figure = rule.Monitor == EarlyStoppingMonitor.ValidationLoss ? result.ValidationLoss!.Value : result.ValidationAccuracy!.Value;
        bool improved = float.IsNaN(_best) || (rule.Monitor == EarlyStoppingMonitor.ValidationLoss
            ? figure < _best - rule.MinDelta
            : figure > _best + rule.MinDelta);
        if (!improved)
        {
            return ++_sinceBest >= rule.Patience;
        }

        _best = figure;
        BestEpoch = result.Epoch;
        _sinceBest = 0;
        if (rule.RestoreBestWeights)
        {
            _bestParameters ??= new float[parameterCount];
            _bestBuffers ??= new float[bufferCount];
            snapshot(_bestParameters, _bestBuffers);
        }

        return false;
    }

    /// <summary>The state to store in a checkpoint; null before the first epoch is observed or without early stopping.</summary>
    public Saved? Export() => rule is null || float.IsNaN(_best) || BestEpoch is not int bestEpoch
        ? null
        : new Saved(rule.Monitor, _best, bestEpoch, _sinceBest, _bestParameters, _bestBuffers);

    /// <summary>
    /// Continues from a checkpoint's state, so a resumed run stops and restores as an uninterrupted one would.
    /// A state kept for another monitored figure is ignored (the run starts its bookkeeping afresh).
    /// </summary>
    public void Resume(Saved saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        if (rule is null || saved.Monitor != rule.Monitor)
        {
            return;
        }

        _best = saved.Best;
        BestEpoch = saved.BestEpoch;
        _sinceBest = saved.SinceBest;
        _bestParameters = rule.RestoreBestWeights ? saved.BestParameters : null;
        _bestBuffers = rule.RestoreBestWeights ? saved.BestBuffers : null;
    }

    /// <summary>Puts the best epoch's weights and buffers back into <paramref name="network"/>, when they were kept.</summary>
    public void Restore(INetwork network)
    {
        if (_bestParameters is not null && _bestBuffers is not null)
        {
            _bestParameters.CopyTo(network.Parameters);
            _bestBuffers.CopyTo(network.Buffers);
        }
    }

    /// <summary>Early stopping's bookkeeping as stored in a checkpoint.</summary>
    /// <param name="Monitor">The figure watched.</param>
    /// <param name="Best">Its best value so far.</param>
    /// <param name="BestEpoch">The epoch (from 1) that reached it.</param>
    /// <param name="SinceBest">Epochs since then without improvement.</param>
    /// <param name="BestParameters">The best epoch's parameters, when the rule restores them.</param>
    /// <param name="BestBuffers">The best epoch's buffers (BatchNorm statistics), likewise.</param>
    internal sealed record Saved(EarlyStoppingMonitor Monitor, float Best, int BestEpoch, int SinceBest, float[]? BestParameters, float[]? BestBuffers);
}
