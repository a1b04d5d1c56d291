using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>Training stopped because the loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException()
    {
        Epochs = [];
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
        Epochs = [];
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Epochs = [];
    }

    internal TrainingDivergedException(string message, int epoch, int batch, IReadOnlyList<EpochResult> epochs)
        : base(message)
    {
        Epoch = epoch;
        Batch = batch;
        Epochs = epochs;
    }

    /// <summary>The epoch (from 1) in which the loss diverged.</summary>
    public int Epoch { get; }

    /// <summary>The batch (from 1) of that epoch.</summary>
    public int Batch { get; }

    /// <summary>The epochs completed before it.</summary>
    public IReadOnlyList<EpochResult> Epochs { get; }
}
