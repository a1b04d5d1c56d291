using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading;

namespace NetGen;

/// <summary>
/// Trains an <see cref="INetwork"/> with a loss (softmax cross-entropy by default) and an <see cref="IOptimizer"/> on
/// all cores: schedules, gradient clipping, frozen layers, per-layer learning rates, early stopping, progress and
/// checkpoints (see <see cref="TrainingOptions"/>).
/// </summary>
/// <remarks>
/// <para>
/// Each mini-batch is split into contiguous chunks, one per worker (the calling thread is worker 0, the others
/// are dedicated threads started by the constructor). Every worker runs <see cref="INetwork.Forward"/>, the fused
/// loss and <see cref="INetwork.Backward"/> for its samples on its own workspace and gradient buffer; the
/// per-worker gradients are then summed in worker order (0 + 1 + 2 …) and handed to the optimizer. The
/// partitioning and every summation order are fixed, so a seed and a thread count give bit-identical weights
/// run after run; different thread counts agree up to float rounding.
/// </para>
/// <para>
/// Networks with BatchNorm train in segments (see <see cref="INetwork.SegmentCount"/>): every sample of the batch
/// keeps its own workspace, the workers run one segment for all their samples, and the calling thread gathers the
/// batch's statistics (in sample order, so the result does not depend on the thread count) before the next one.
/// </para>
/// <para>
/// A training step allocates nothing on the managed heap once the trainer has seen its largest batch. A trainer
/// is not thread-safe: run one step at a time. Dispose it to stop its threads.
/// </para>
/// </remarks>
public sealed partial class Trainer : IDisposable
{
    private readonly WorkerPool _pool;
    private readonly WorkerBuffers[] _workers;
    private readonly int _logitsOffset;
    private readonly int _classes;
    private readonly bool _segmented;

    /// <summary>Whether evaluation runs the network's caller-workspace <c>Predict</c> (its own, smaller layout): it has one, and its output is the logits.</summary>
    private readonly bool _predictOnOwnLayout;

    private readonly float[] _batchState;
    private AlignedBuffer[] _sampleWorkspaces = [];

    /// <summary>
    /// Which segments run across each worker's chunk of samples (<see cref="INetwork.IsBatchedSegment"/>); null when
    /// none does. Then every sample's workspace lies in <see cref="_chunkWorkspaces"/>, <see cref="INetwork.ChunkStride"/> floats apart.
    /// </summary>
    private readonly bool[]? _batchedSegments;
    private readonly int _chunkStride;
    private readonly int _workspaceSize;
    private AlignedBuffer? _chunkWorkspaces;
    private float[] _sampleLogitsGradients = [];
    private ParameterGroup[] _groups;
    private bool _anyTrainable = true;
    private int _lowestBackwardSegment;
    private ILoss _loss = new SoftmaxCrossEntropyLoss();
    private int[] _batch = [];
    private int[] _predicted = [];
    private int _busy;

    // Early stopping's state from the last LoadCheckpoint, taken by the next Fit that starts at its epoch.
    private (int Epoch, EarlyStoppingTracker.Saved State)? _resumed;
    private bool _disposed;

    /// <summary>Creates a trainer and starts its worker threads.</summary>
    /// <param name="network">The network to train; its parameters are updated in place.</param>
    /// <param name="optimizer">Applies each step's gradient to the network's parameters.</param>
    /// <param name="threadCount">Workers per batch, the calling thread included; null means <see cref="Environment.ProcessorCount"/>.</param>
    public Trainer(INetwork network, IOptimizer optimizer, int? threadCount = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        int threads = threadCount ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads, nameof(threadCount));
        if (network.InputSize <= 0 || network.OutputSize <= 0 || network.ParameterCount < 0
            || network.LogitsOffset < 0 || (long)network.LogitsOffset + network.OutputSize > network.WorkspaceSize
            || network.Parameters.Length != network.ParameterCount)
        {
            throw new ArgumentException(
                $"The network's sizes are inconsistent (input {network.InputSize}, output {network.OutputSize}, parameters {network.ParameterCount} " +
                $"with a buffer of {network.Parameters.Length}, logits at {network.LogitsOffset} in a workspace of {network.WorkspaceSize}).",
                nameof(network));
        }

        Network = network;
        Optimizer = optimizer;
        ThreadCount = threads;
        _logitsOffset = network.LogitsOffset;
        _classes = network.OutputSize;
        _segmented = network.SegmentCount > 1;
        _batchState = new float[network.BatchStateSize];
        _workspaceSize = network.WorkspaceSize;
        if (_segmented && network.BatchNorms.Count == 0)
        {
            var batched = new bool[network.SegmentCount];
            for (int k = 0; k < batched.Length; k++)
            {
                batched[k] = network.IsBatchedSegment(k);
            }

            if (Array.IndexOf(batched, true) >= 0)
            {
                _batchedSegments = batched;
                _chunkStride = network.ChunkStride;
            }
        }

        _groups = [new ParameterGroup(0, network.ParameterCount)];
        _predictOnOwnLayout = network.PredictWorkspaceSize > 0 && !network.EndsWithSoftmax && !network.EndsWithSigmoid;
        int workspace = Math.Max(network.WorkspaceSize, _predictOnOwnLayout ? network.PredictWorkspaceSize : 0);
        _workers = new WorkerBuffers[threads];
        for (int w = 0; w < threads; w++)
        {
            _workers[w] = new WorkerBuffers(workspace, network.ParameterCount, network.OutputSize);
        }

        _pool = new WorkerPool(threads, "NetGen trainer");
    }

    /// <summary>The network being trained.</summary>
    public INetwork Network { get; }

    /// <summary>The optimizer that applies each step.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>Workers per batch, the calling thread included.</summary>
    public int ThreadCount { get; }

    /// <summary>
    /// The gradient of the mean batch loss that the last training step handed to the optimizer, aligned with
    /// <see cref="INetwork.Parameters"/> (zeros before the first step). Overwritten by the next step.
    /// </summary>
    public ReadOnlySpan<float> Gradients => _workers[0].Gradients.Span;

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over <paramref name="train"/> in mini-batches of
    /// <paramref name="batchSize"/>: <see cref="Fit(Dataset, Dataset?, TrainingOptions)"/> with those options.
    /// </summary>
    /// <param name="train">The training samples.</param>
    /// <param name="epochs">Number of passes, ≥ 0.</param>
    /// <param name="batchSize">Samples per optimizer step, ≥ 1.</param>
    /// <param name="validation">When given, the accuracy on it is measured after every epoch.</param>
    /// <param name="seed">Fixes the shuffling and the dropout masks (see <see cref="TrainingOptions.Seed"/>).</param>
    /// <param name="onEpoch">Called after each epoch with its result, e.g. to print progress.</param>
    /// <returns>One result per epoch.</returns>
    public TrainingHistory Fit(Dataset train, int epochs, int batchSize, Dataset? validation = null, ulong seed = 0, Action<EpochResult>? onEpoch = null)
        => Fit(train, validation, FitArguments.Options(epochs, batchSize, seed, onEpoch));

    /// <summary>
    /// Trains on <paramref name="train"/> as <paramref name="options"/> say: epochs <c>StartEpoch + 1</c> to
    /// <c>Epochs</c>, each visiting the samples in an order shuffled from the seed, one optimizer step per batch;
    /// after each epoch, validation, early stopping, the checkpoint and the callbacks.
    /// </summary>
    /// <param name="train">The training samples; <see cref="Dataset.SampleSize"/> must equal the network's input size and <see cref="Dataset.ClassCount"/> its output size.</param>
    /// <param name="validation">Measured after every epoch (accuracy and loss, evaluation mode); needed for early stopping.</param>
    /// <param name="options">The loop, loss, schedule and controls.</param>
    /// <returns>One result per epoch run, and why training stopped.</returns>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; the step that produced it is not applied.</exception>
    public TrainingHistory Fit(Dataset train, Dataset? validation, TrainingOptions options)
    {
        (ParameterGroup[] Groups, int LowestTrainable) plan = FitArguments.Check(Network, train, validation, options);

        ObjectDisposedException.ThrowIf(_disposed, this);
        UseLoss(options.Loss);
        ConfigureTrainable(plan);
        (int Epoch, EarlyStoppingTracker.Saved State)? resumed = _resumed;
        _resumed = null;
        return EpochLoop.Run(new CpuBackend(this, train), train, validation, options, resumed);
    }

    /// <summary>
    /// Runs one training step: zeroes the gradient, runs forward, loss and backward for the samples
    /// <paramref name="indices"/> of <paramref name="data"/> (split across the workers), sums the gradients of the
    /// mean loss and applies <see cref="Optimizer"/>.
    /// </summary>
    /// <param name="data">The data set the indices refer to.</param>
    /// <param name="indices">The batch: indices of samples in <paramref name="data"/>, at least one.</param>
    /// <param name="dropoutSeed">Sample <c>i</c> of <paramref name="data"/> runs with dropout seed <c>Rng.Mix(dropoutSeed, i)</c>.</param>
    /// <returns>The mean loss of the batch, computed before the update; NaN or infinity when it diverged, and then the step is not applied.</returns>
    /// <remarks>Uses the loss, frozen layers and learning-rate multipliers of the last <c>Fit</c> (by default: cross-entropy, everything trains).</remarks>
    public float TrainBatch(Dataset data, ReadOnlySpan<int> indices, ulong dropoutSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckCompatible(data, nameof(data));
        return (float)(Step(data, indices, dropoutSeed, null, out _) / indices.Length);
    }

    /// <summary>The accuracy and mean loss (of the last <c>Fit</c>'s loss, evaluation mode) on <paramref name="data"/>, on all workers.</summary>
    /// <param name="data">A non-empty data set matching the network.</param>
    /// <returns>(accuracy in [0, 1], mean loss).</returns>
    public (float Accuracy, float Loss) Evaluate(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("The data set has no samples.", nameof(data));
        }

        int correct = Evaluate(data, 0, data.Count, nameof(data), out double loss);
        return ((float)correct / data.Count, (float)(loss / data.Count));
    }

    /// <summary>Predicts every sample of <paramref name="data"/> and tallies predictions against labels.</summary>
    /// <param name="data">A non-empty data set matching the network.</param>
    /// <returns>The confusion matrix: rows are true classes, columns predictions.</returns>
    public ConfusionMatrix ConfusionMatrix(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var predicted = new int[data.Count];
        if (data.Count > 0)
        {
            PredictClasses(data, 0, data.Count, predicted);
        }

        var matrix = new ConfusionMatrix(Math.Max(data.ClassCount, 2));
        for (int i = 0; i < predicted.Length; i++)
        {
            matrix.Add(data.Labels[i], predicted[i]);
        }

        return matrix;
    }

    /// <summary>
    /// Writes a checkpoint: the network's parameters and buffers under their PyTorch keys, the optimizer's state
    /// (as <c>optimizer.&lt;buffer&gt;</c> tensors) and <paramref name="epoch"/>, to a temporary file renamed over
    /// <paramref name="path"/>. (The checkpoints <see cref="TrainingOptions.CheckpointPath"/> writes during a run
    /// also hold early stopping's state.)
    /// </summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="epoch">Epochs completed, stored so <see cref="LoadCheckpoint"/> can resume after it.</param>
    public void SaveCheckpoint(string path, int epoch)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        TrainingCheckpoint.Save(Network, Optimizer.ExportState(), path, epoch, tracker: null);
    }

    /// <summary>
    /// Loads a checkpoint written by <see cref="SaveCheckpoint"/>, by <see cref="TrainingOptions.CheckpointPath"/>
    /// or by PyTorch: the network's tensors strictly (every one must be there with its shape), and the optimizer's
    /// state. The file's optimizer state is restored when it is of this optimizer's kind and settings; otherwise
    /// (another optimizer: SGD → Adam, Adam ↔ AdamW …; an SGD with momentum on one side only; no state in the file)
    /// the optimizer starts fresh (no steps, no buffers) and the result says so and why: continuing with another
    /// optimizer is ordinary fine-tuning. A checkpoint written during a run with early stopping also holds its
    /// bookkeeping (best figure, best epoch, epochs since, best weights); the next <c>Fit</c> that starts at this
    /// epoch with the same monitored figure continues it, so it stops and restores as the uninterrupted run would.
    /// </summary>
    /// <remarks>
    /// The whole file is read and checked (tensors, metadata, optimizer state, early stopping's state) before
    /// anything changes: when it throws, the network's parameters and buffers, the optimizer's state and the
    /// trainer's are exactly as they were.
    /// </remarks>
    /// <param name="path">The safetensors file.</param>
    /// <returns>
    /// The epochs completed when it was written (0 for a file without that metadata; pass it as
    /// <see cref="TrainingOptions.StartEpoch"/> to resume), the tensors loaded and what became of the optimizer's
    /// state: <c>int epoch = trainer.LoadCheckpoint(path).Epoch</c>.
    /// </returns>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed safetensors file, or its NetGen metadata is malformed.</exception>
    /// <exception cref="CheckpointMismatchException">The tensors do not fit the network, or the optimizer state of this optimizer's kind does not fit it.</exception>
    public TrainerCheckpointLoad LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        TrainerCheckpointLoad loaded = TrainingCheckpoint.Load(Network, Optimizer, path, out EarlyStoppingTracker.Saved? earlyStopping);
        _resumed = earlyStopping is null ? null : (loaded.Epoch, earlyStopping);
        return loaded;
    }

    /// <summary>
    /// The fraction of <paramref name="data"/> whose largest logit is at its label, with dropout off, computed on
    /// all workers.
    /// </summary>
    /// <param name="data">A non-empty data set matching the network's input and output sizes.</param>
    /// <returns>The accuracy in [0, 1].</returns>
    public float Accuracy(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("The data set has no samples.", nameof(data));
        }

        return (float)((double)Evaluate(data, 0, data.Count, nameof(data), out _) / data.Count);
    }

    /// <summary>
    /// Predicts the classes (arg-max of the logits, evaluation mode) of samples
    /// [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of <paramref name="data"/>,
    /// split across all workers: batched inference on every core.
    /// </summary>
    /// <param name="data">The samples.</param>
    /// <param name="first">First sample.</param>
    /// <param name="count">Number of samples.</param>
    /// <param name="predictedClasses">Receives one class per sample; <paramref name="count"/> long.</param>
    /// <returns>How many of the predictions match the data set's labels.</returns>
    public int PredictClasses(Dataset data, int first, int count, Span<int> predictedClasses)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if ((long)first + count > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Samples [{first}, {first + count}) are outside the data set's {data.Count}.");
        }

        if (predictedClasses.Length != count)
        {
            throw new ArgumentException($"'{nameof(predictedClasses)}' must hold exactly {count} classes; it holds {predictedClasses.Length}.", nameof(predictedClasses));
        }

        int correct = Evaluate(data, first, count, nameof(data), out _);
        _predicted.AsSpan(0, count).CopyTo(predictedClasses);
        return correct;
    }

    /// <summary>Runs evaluation on samples [first, first + count) on all workers; fills <see cref="_predicted"/>; returns the number correct and the summed loss.</summary>
    private int Evaluate(Dataset data, int first, int count, string argument, out double loss)
    {
        CheckCompatible(data, argument);
        Enter();
        try
        {
            if (_predicted.Length < count)
            {
                _predicted = new int[count];
            }

            int active = _pool.ActiveFor(count);
            _pool.Run(new EvaluateJob(this, data, first), count);
            int correct = 0;
            loss = 0;
            for (int w = 0; w < active; w++)
            {
                correct += _workers[w].Correct;
                loss += _workers[w].Loss;
            }

            return correct;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Stops the worker threads. The trainer cannot be used afterwards; the network stays usable.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _pool.Dispose();
    }

    private static void Add(Span<float> target, ReadOnlySpan<float> source)
    {
        ref float t = ref MemoryMarshal.GetReference(target);
        ref float s = ref MemoryMarshal.GetReference(source);
        int n = target.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                (Vector.LoadUnsafe(ref t, (nuint)i) + Vector.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref t, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            target[i] += source[i];
        }
    }

    private void UseLoss(ILoss loss)
    {
        FitArguments.CheckLoss(Network, loss, crossEntropy: loss is SoftmaxCrossEntropyLoss);

        _loss = loss;
    }

    /// <summary>
    /// Turns the frozen layers and learning-rate multipliers into parameter groups for the optimizer, and sets the
    /// network's <see cref="INetwork.TrainableFrom"/> to the lowest trainable layer so backward stops there.
    /// </summary>
    private void ConfigureTrainable((ParameterGroup[] Groups, int LowestTrainable) plan)
    {
        (_groups, int lowest) = plan;
        _anyTrainable = _groups.Length > 0;
        Network.TrainableFrom = lowest;
        int segment = 0;
        foreach (BatchNormInfo bn in Network.BatchNorms)
        {
            segment += bn.LayerIndex <= lowest ? 1 : 0;
        }

        _lowestBackwardSegment = segment;
    }

    private void CheckCompatible(Dataset data, string paramName) => FitArguments.CheckData(Network, data, paramName);

    /// <summary>One training step; returns the sum (not the mean) of the batch's losses and the number of correct predictions.</summary>
    private double Step(Dataset data, ReadOnlySpan<int> indices, ulong dropoutSeed, float? maxGradientNorm, out int correct)
    {
        int n = indices.Length;
        if (n == 0)
        {
            throw new ArgumentException("A batch needs at least one sample index.", nameof(indices));
        }

        Enter();
        try
        {
            return StepCore(data, indices, dropoutSeed, maxGradientNorm, out correct);
        }
        finally
        {
            Exit();
        }
    }

    private double StepCore(Dataset data, ReadOnlySpan<int> indices, ulong dropoutSeed, float? maxGradientNorm, out int correct)
    {
        int n = indices.Length;
        if (_batch.Length < n)
        {
            _batch = new int[n];
        }

        int[] batch = _batch;
        int count = data.Count;
        for (int i = 0; i < n; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Batch entry {i} is not a sample index of a data set of {count}.");
            }

            batch[i] = index;
        }

        int active = _pool.ActiveFor(n);
        var job = new BatchJob(this, data, batch, 1f / n, dropoutSeed);
        if (_segmented)
        {
            RunSegments(job, n);
        }
        else
        {
            _pool.Run(new TrainJob(job), n);
        }

        Span<float> gradients = _workers[0].Gradients.Span;
        double loss = _workers[0].Loss;
        correct = _workers[0].Correct;
        for (int w = 1; w < active; w++)
        {
            Add(gradients, _workers[w].Gradients.Span);
            loss += _workers[w].Loss;
            correct += _workers[w].Correct;
        }

        if (!double.IsFinite(loss) || !_anyTrainable)
        {
            return loss;
        }

        if (maxGradientNorm is float maxNorm)
        {
            GradientClipping.ClipByGlobalNorm(gradients, maxNorm, _groups);
        }

        Optimizer.Step(Network.Parameters, gradients, _groups);
        return loss;
    }

    /// <summary>The workspace of sample <paramref name="k"/> of the batch in a segmented step.</summary>
    private Span<float> SampleWorkspace(int k) =>
        _chunkWorkspaces is { } chunk ? chunk.Span.Slice(k * _chunkStride, _workspaceSize) : _sampleWorkspaces[k].Span;

    /// <summary>
    /// A segmented step (BatchNorm, or a Dense across the batch): each forward segment on every sample (a batched
    /// segment on each worker's chunk at once), the batch statistics gathered in between;
    /// the loss and the last backward segment; then the backward segments down to the lowest trainable one, the
    /// batch means of each BatchNorm gathered before the segment below it.
    /// </summary>
    private void RunSegments(BatchJob job, int n)
    {
        INetwork network = Network;
        if (_batchedSegments is not null)
        {
            if (_chunkWorkspaces is null || _chunkWorkspaces.Length < (long)n * _chunkStride)
            {
                _chunkWorkspaces = new AlignedBuffer(checked(n * _chunkStride));
                _sampleLogitsGradients = new float[n * _classes];
            }
        }
        else if (_sampleWorkspaces.Length < n)
        {
            int had = _sampleWorkspaces.Length;
            Array.Resize(ref _sampleWorkspaces, n);
            for (int i = had; i < n; i++)
            {
                _sampleWorkspaces[i] = new AlignedBuffer(network.WorkspaceSize);
            }

            _sampleLogitsGradients = new float[n * _classes];
        }

        ReadOnlySpan<AlignedBuffer> workspaces = _batchedSegments is null ? _sampleWorkspaces.AsSpan(0, n) : default;
        IReadOnlyList<BatchNormInfo> norms = network.BatchNorms;
        int last = network.SegmentCount - 1;
        for (int segment = 0; segment < last; segment++)
        {
            _pool.Run(new SegmentJob(job, SegmentPass.Forward, segment), n);
            // Indexed loops: enumerating the IReadOnlyList would allocate an enumerator per step.
            for (int b = 0; b < norms.Count; b++)
            {
                if (norms[b].Segment == segment + 1)
                {
                    BatchNormalization.GatherForward(norms[b], workspaces, _batchState, network.Buffers, updateRunningStatistics: true);
                }
            }
        }

        _pool.Run(new SegmentJob(job, SegmentPass.Last, last), n);
        if (!_anyTrainable)
        {
            return;
        }

        for (int segment = last - 1; segment >= _lowestBackwardSegment; segment--)
        {
            for (int b = 0; b < norms.Count; b++)
            {
                if (norms[b].Segment == segment + 1)
                {
                    BatchNormalization.GatherBackward(norms[b], workspaces, _batchState);
                }
            }

            _pool.Run(new SegmentJob(job, SegmentPass.Backward, segment), n);
        }
    }

    /// <summary>Claims the workers for one job; a trainer runs one job at a time.</summary>
    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("The trainer is already running a step on another thread; a trainer runs one step at a time.");
        }
    }

    /// <summary>Releases the workers.</summary>
    private void Exit()
    {
        Volatile.Write(ref _busy, 0);
    }
}
