using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.ExceptionServices;
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
public sealed class Trainer : IDisposable
{
    /// <summary>Separates the dropout seeds from the shuffling seeds of an epoch.</summary>
    private const ulong DropoutStream = 0xD5_0F_0A_75_EE_D5_0F_0AUL;

    private readonly Worker[] _workers;
    private readonly int _logitsOffset;
    private readonly int _classes;
    private readonly bool _segmented;
    private readonly float[] _batchState;
    private AlignedBuffer[] _sampleWorkspaces = [];
    private float[] _sampleLogitsGradients = [];
    private ParameterGroup[] _groups;
    private bool _anyTrainable = true;
    private int _lowestBackwardSegment;
    private ILoss _loss = new SoftmaxCrossEntropyLoss();
    private int _jobSegment;
    private int[] _batch = [];
    private int[] _predicted = [];
    private int _jobFirst;
    private JobKind _jobKind;
    private Dataset? _jobData;
    private float _jobScale;
    private ulong _jobSeed;
    private int _busy;

    // Early stopping's state from the last LoadCheckpoint, taken by the next Fit that starts at its epoch.
    private (int Epoch, EarlyStoppingTracker.Saved State)? _resumed;
    private volatile bool _stopping;
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
        _groups = [new ParameterGroup(0, network.ParameterCount)];
        _workers = new Worker[threads];
        for (int w = 0; w < threads; w++)
        {
            _workers[w] = new Worker(network.WorkspaceSize, network.ParameterCount, network.OutputSize);
        }

        for (int w = 1; w < threads; w++)
        {
            Worker worker = _workers[w];
            worker.Thread = new Thread(() => WorkerLoop(worker))
            {
                IsBackground = true,
                Name = $"NetGen trainer worker {w}",
            };
            worker.Thread.Start();
        }
    }

    private enum JobKind
    {
        /// <summary>Forward, loss and backward of each sample on the worker's one workspace (no BatchNorm).</summary>
        Train,

        /// <summary>Evaluation-mode forward of each sample, counting correct predictions and the loss.</summary>
        Evaluate,

        /// <summary>Forward segment <see cref="_jobSegment"/> of each sample, on the sample's own workspace.</summary>
        ForwardSegment,

        /// <summary>The last forward segment, the loss, and the last backward segment.</summary>
        LastSegment,

        /// <summary>Backward segment <see cref="_jobSegment"/> of each sample.</summary>
        BackwardSegment,
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
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Fit(train, validation, new TrainingOptions { Epochs = epochs, BatchSize = batchSize, Seed = seed, OnEpoch = onEpoch });
    }

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
        int count = train.Count;
        int batchSize = options.BatchSize;
        int batches = (count + batchSize - 1) / batchSize;
        int[] order = new int[count];
        var results = new List<EpochResult>(Math.Max(0, options.Epochs - options.StartEpoch));
        EarlyStopping? stopping = options.EarlyStopping;
        var tracker = new EarlyStoppingTracker(stopping);
        if (_resumed is { } resumed && resumed.Epoch == options.StartEpoch && options.StartEpoch > 0)
        {
            tracker.Resume(resumed.State);
        }

        _resumed = null;
        StopReason reason = StopReason.Completed;
        float baseLearningRate = Optimizer.LearningRate;
        try
        {
            for (int epoch = options.StartEpoch; epoch < options.Epochs; epoch++)
            {
                ulong epochSeed = Rng.Mix(options.Seed, (ulong)epoch);
                for (int i = 0; i < count; i++)
                {
                    order[i] = i;
                }

                var rng = new Rng(epochSeed);
                rng.Shuffle(order);
                ulong dropoutSeed = Rng.Mix(epochSeed, DropoutStream);

                long start = Stopwatch.GetTimestamp();
                double lossSum = 0;
                int correct = 0;
                for (int b = 0; b < batches; b++)
                {
                    if (options.Schedule is not null)
                    {
                        Optimizer.LearningRate = baseLearningRate * options.Schedule.Factor((epoch * batches) + b, batches);
                    }

                    int first = b * batchSize;
                    int size = Math.Min(batchSize, count - first);
                    double loss = Step(train, order.AsSpan(first, size), dropoutSeed, options.MaxGradientNorm, out int batchCorrect);
                    if (!double.IsFinite(loss))
                    {
                        throw new TrainingDivergedException(
                            $"Training diverged in epoch {epoch + 1}, batch {b + 1} of {batches}: the {options.Loss.Name} loss is {(double.IsNaN(loss) ? "NaN" : "infinite")}. " +
                            $"The step was not applied. Lower the learning rate (now {Optimizer.LearningRate:G4}) or clip the gradient (MaxGradientNorm).",
                            epoch + 1,
                            b + 1,
                            results);
                    }

                    lossSum += loss;
                    correct += batchCorrect;
                    if (options.Progress is not null)
                    {
                        int done = first + size;
                        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                        double rate = elapsed > 0 ? done / elapsed : 0;
                        long remainingSamples = ((long)(options.Epochs - epoch - 1) * count) + (count - done);
                        var remaining = TimeSpan.FromSeconds(rate > 0 ? remainingSamples / rate : 0);
                        options.Progress.Report(new TrainingProgress(epoch + 1, options.Epochs, b + 1, batches, (float)(lossSum / done), (float)correct / done, rate, remaining, null));
                    }
                }

                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                float? validationAccuracy = null, validationLoss = null;
                if (validation is not null)
                {
                    int validationCorrect = Evaluate(validation, 0, validation.Count, nameof(validation), out double validationLossSum);
                    validationAccuracy = (float)validationCorrect / validation.Count;
                    validationLoss = (float)(validationLossSum / validation.Count);
                }

                var result = new EpochResult(epoch + 1, count > 0 ? (float)(lossSum / count) : 0f, seconds, seconds > 0 ? count / seconds : double.PositiveInfinity, validationAccuracy)
                {
                    TrainingAccuracy = count > 0 ? (float)correct / count : 0f,
                    ValidationLoss = validationLoss,
                    LearningRate = Optimizer.LearningRate,
                };
                results.Add(result);

                bool stop = tracker.Observe(result, Network.ParameterCount, Network.Buffers.Length, (parameters, buffers) => { Network.Parameters.CopyTo(parameters); Network.Buffers.CopyTo(buffers); });

                if (options.CheckpointPath is not null)
                {
                    TrainingCheckpoint.Save(Network, Optimizer.ExportState(), options.CheckpointPath, epoch + 1, tracker);
                }

                options.OnEpoch?.Invoke(result);
                options.Progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, batches, batches, result.TrainingLoss, result.TrainingAccuracy, result.ImagesPerSecond, TimeSpan.FromSeconds(seconds * (options.Epochs - epoch - 1)), result));
                if (stop)
                {
                    reason = StopReason.EarlyStopped;
                    break;
                }
            }
        }
        finally
        {
            Optimizer.LearningRate = baseLearningRate;
        }

        tracker.Restore(Network);

        return new TrainingHistory(results, reason, tracker.BestEpoch);
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
    /// state. It converts to the epoch: <c>int epoch = trainer.LoadCheckpoint(path)</c>.
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

            int active = Math.Min(ThreadCount, count);
            _jobKind = JobKind.Evaluate;
            _jobData = data;
            _jobFirst = first;
            for (int w = 0; w < active; w++)
            {
                _workers[w].From = first + (int)((long)count * w / active);
                _workers[w].To = first + (int)((long)count * (w + 1) / active);
            }

            Run(active);
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
        _stopping = true;
        for (int w = 1; w < _workers.Length; w++)
        {
            _workers[w].Start.Set();
            _workers[w].Thread?.Join();
        }

        foreach (Worker worker in _workers)
        {
            worker.Start.Dispose();
            worker.Done.Dispose();
        }
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

    /// <summary>The predicted class of one sample's logits: the arg-max, or for a single output (binary), whether it is positive.</summary>
    private static int PredictedClass(ReadOnlySpan<float> logits) =>
        logits.Length == 1 ? (logits[0] > 0f ? 1 : 0) : Evaluation.ArgMax(logits);

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

        int active = Math.Min(ThreadCount, n);
        _jobData = data;
        _jobScale = 1f / n;
        _jobSeed = dropoutSeed;
        for (int w = 0; w < active; w++)
        {
            _workers[w].From = (int)((long)n * w / active);
            _workers[w].To = (int)((long)n * (w + 1) / active);
        }

        if (_segmented)
        {
            RunSegments(n, active);
        }
        else
        {
            _jobKind = JobKind.Train;
            Run(active);
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

    /// <summary>
    /// A BatchNorm network's step: each forward segment on every sample, the batch statistics gathered in between;
    /// the loss and the last backward segment; then the backward segments down to the lowest trainable one, the
    /// batch means of each BatchNorm gathered before the segment below it.
    /// </summary>
    private void RunSegments(int n, int active)
    {
        INetwork network = Network;
        if (_sampleWorkspaces.Length < n)
        {
            int had = _sampleWorkspaces.Length;
            Array.Resize(ref _sampleWorkspaces, n);
            for (int i = had; i < n; i++)
            {
                _sampleWorkspaces[i] = new AlignedBuffer(network.WorkspaceSize);
            }

            _sampleLogitsGradients = new float[n * _classes];
        }

        ReadOnlySpan<AlignedBuffer> workspaces = _sampleWorkspaces.AsSpan(0, n);
        IReadOnlyList<BatchNormInfo> norms = network.BatchNorms;
        int last = network.SegmentCount - 1;
        for (int segment = 0; segment < last; segment++)
        {
            _jobKind = JobKind.ForwardSegment;
            _jobSegment = segment;
            Run(active);
            // Indexed loops: enumerating the IReadOnlyList would allocate an enumerator per step.
            for (int b = 0; b < norms.Count; b++)
            {
                if (norms[b].Segment == segment + 1)
                {
                    BatchNormalization.GatherForward(norms[b], workspaces, _batchState, network.Buffers, updateRunningStatistics: true);
                }
            }
        }

        _jobKind = JobKind.LastSegment;
        _jobSegment = last;
        Run(active);
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

            _jobKind = JobKind.BackwardSegment;
            _jobSegment = segment;
            Run(active);
        }
    }

    /// <summary>Runs the current job on workers 0 … active − 1 and rethrows the first worker's exception, if any.</summary>
    private void Run(int active)
    {
        for (int w = 1; w < active; w++)
        {
            _workers[w].Start.Set();
        }

        Execute(_workers[0]);
        for (int w = 1; w < active; w++)
        {
            _workers[w].Done.Wait();
        }

        ExceptionDispatchInfo? error = null;
        for (int w = 0; w < active; w++)
        {
            error ??= _workers[w].Error;
            _workers[w].Error = null;
        }

        error?.Throw();
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

    /// <summary>Releases the workers, and the data set of the last job so the trainer does not keep it alive.</summary>
    private void Exit()
    {
        _jobData = null;
        Volatile.Write(ref _busy, 0);
    }

    private void WorkerLoop(Worker worker)
    {
        while (true)
        {
            worker.Start.Wait();
            if (_stopping)
            {
                return;
            }

            Execute(worker);
            worker.Done.Set();
        }
    }

    private void Execute(Worker worker)
    {
        try
        {
            switch (_jobKind)
            {
                case JobKind.Train:
                    TrainChunk(worker);
                    break;
                case JobKind.Evaluate:
                    EvaluateChunk(worker);
                    break;
                default:
                    SegmentChunk(worker);
                    break;
            }
        }
#pragma warning disable CA1031 // Any failure of a worker is captured and rethrown on the calling thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            worker.Error = ExceptionDispatchInfo.Capture(ex);
        }
    }

    private void TrainChunk(Worker worker)
    {
        INetwork network = Network;
        Dataset data = _jobData!;
        int[] labels = data.Labels;
        int[] batch = _batch;
        float scale = _jobScale;
        ulong seed = _jobSeed;
        Span<float> workspace = worker.Workspace.Span;
        Span<float> gradients = worker.Gradients.Span;
        Span<float> logitsGradient = worker.LogitsGradient;
        ReadOnlySpan<float> logits = workspace.Slice(_logitsOffset, _classes);
        ILoss lossFunction = _loss;
        bool backward = _anyTrainable;
        gradients.Clear();
        double loss = 0;
        int correct = 0;
        for (int k = worker.From; k < worker.To; k++)
        {
            int index = batch[k];
            ReadOnlySpan<float> input = data.Sample(index);
            network.Forward(input, workspace, training: true, Rng.Mix(seed, (ulong)index));
            correct += PredictedClass(logits) == labels[index] ? 1 : 0;
            loss += lossFunction.LossAndGradient(logits, labels[index], data.Target(index), logitsGradient, scale);
            if (backward)
            {
                network.Backward(input, workspace, logitsGradient, gradients);
            }
        }

        worker.Loss = loss;
        worker.Correct = correct;
    }

    /// <summary>One segment job of a BatchNorm network's step, on the worker's samples (each with its own workspace).</summary>
    private void SegmentChunk(Worker worker)
    {
        INetwork network = Network;
        Dataset data = _jobData!;
        int[] labels = data.Labels;
        int[] batch = _batch;
        int segment = _jobSegment;
        ReadOnlySpan<float> state = _batchState;
        Span<float> gradients = worker.Gradients.Span;
        switch (_jobKind)
        {
            case JobKind.ForwardSegment:
                for (int k = worker.From; k < worker.To; k++)
                {
                    int index = batch[k];
                    network.ForwardSegment(segment, data.Sample(index), _sampleWorkspaces[k].Span, state, training: true, Rng.Mix(_jobSeed, (ulong)index));
                }

                break;

            case JobKind.LastSegment:
                gradients.Clear();
                double loss = 0;
                int correct = 0;
                bool backward = _anyTrainable;
                for (int k = worker.From; k < worker.To; k++)
                {
                    int index = batch[k];
                    Span<float> workspace = _sampleWorkspaces[k].Span;
                    ReadOnlySpan<float> input = data.Sample(index);
                    network.ForwardSegment(segment, input, workspace, state, training: true, Rng.Mix(_jobSeed, (ulong)index));
                    ReadOnlySpan<float> logits = workspace.Slice(_logitsOffset, _classes);
                    Span<float> logitsGradient = _sampleLogitsGradients.AsSpan(k * _classes, _classes);
                    correct += PredictedClass(logits) == labels[index] ? 1 : 0;
                    loss += _loss.LossAndGradient(logits, labels[index], data.Target(index), logitsGradient, _jobScale);
                    if (backward)
                    {
                        network.BackwardSegment(segment, input, workspace, state, logitsGradient, gradients);
                    }
                }

                worker.Loss = loss;
                worker.Correct = correct;
                break;

            default:
                for (int k = worker.From; k < worker.To; k++)
                {
                    int index = batch[k];
                    network.BackwardSegment(segment, data.Sample(index), _sampleWorkspaces[k].Span, state, _sampleLogitsGradients.AsSpan(k * _classes, _classes), gradients);
                }

                break;
        }
    }

    private void EvaluateChunk(Worker worker)
    {
        INetwork network = Network;
        Dataset data = _jobData!;
        int[] labels = data.Labels;
        Span<float> workspace = worker.Workspace.Span;
        ReadOnlySpan<float> logits = workspace.Slice(_logitsOffset, _classes);
        int[] predicted = _predicted;
        int first = _jobFirst;
        int correct = 0;
        double loss = 0;
        ILoss lossFunction = _loss;
        Span<float> scratch = worker.LogitsGradient;
        for (int i = worker.From; i < worker.To; i++)
        {
            network.Forward(data.Sample(i), workspace, training: false, 0);
            int predictedClass = PredictedClass(logits);
            predicted[i - first] = predictedClass;
            if (predictedClass == labels[i])
            {
                correct++;
            }

            loss += lossFunction.LossAndGradient(logits, labels[i], data.Target(i), scratch, 0f);
        }

        worker.Correct = correct;
        worker.Loss = loss;
    }

    /// <summary>One worker's buffers, signals and results.</summary>
    private sealed class Worker(int workspaceSize, int parameterCount, int outputSize)
    {
        public AlignedBuffer Workspace { get; } = new(workspaceSize);

        public AlignedBuffer Gradients { get; } = new(parameterCount);

        public float[] LogitsGradient { get; } = new float[outputSize];

        public Signal Start { get; } = new();

        public Signal Done { get; } = new();

        public Thread? Thread { get; set; }

        public int From { get; set; }

        public int To { get; set; }

        public double Loss { get; set; }

        public int Correct { get; set; }

        public ExceptionDispatchInfo? Error { get; set; }
    }

    /// <summary>
    /// A one-shot, auto-resetting signal between two threads: <see cref="Wait"/> spins for up to 50 µs (the next
    /// step usually starts within microseconds), then blocks, and consumes the signal. Neither side allocates.
    /// </summary>
    private sealed class Signal : IDisposable
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

        private readonly ManualResetEventSlim _event = new(false, 0);
        private int _flag;

        public void Set()
        {
            Volatile.Write(ref _flag, 1);
            _event.Set();
        }

        public void Wait()
        {
            if (Volatile.Read(ref _flag) == 0)
            {
                long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                SpinWait spinner = default;
                while (Volatile.Read(ref _flag) == 0)
                {
                    if (Stopwatch.GetTimestamp() < deadline)
                    {
                        // Yields now and then, so an oversubscribed machine still runs the thread we wait for.
                        spinner.SpinOnce(sleep1Threshold: -1);
                    }
                    else
                    {
                        // Reset before re-reading the flag, so a Set that lands in between is never lost.
                        _event.Wait();
                        _event.Reset();
                    }
                }
            }

            Volatile.Write(ref _flag, 0);
        }

        public void Dispose() => _event.Dispose();
    }
}
