using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace NetGen;

/// <summary>
/// Trains an <see cref="INetwork"/> with softmax cross-entropy and an <see cref="IOptimizer"/> on all cores.
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
    private int[] _batch = [];
    private int[] _predicted = [];
    private int _jobFirst;
    private JobKind _jobKind;
    private Dataset? _jobData;
    private float _jobScale;
    private ulong _jobSeed;
    private int _busy;
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
        Train,
        Evaluate,
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
    /// Trains for <paramref name="epochs"/> passes over <paramref name="train"/>, visiting the samples of each epoch
    /// in an order shuffled from <paramref name="seed"/>, in mini-batches of <paramref name="batchSize"/> (the last,
    /// smaller batch of an epoch is used, not dropped).
    /// </summary>
    /// <param name="train">The training samples; <see cref="Dataset.SampleSize"/> must equal the network's input size and <see cref="Dataset.ClassCount"/> its output size.</param>
    /// <param name="epochs">Number of passes, ≥ 0.</param>
    /// <param name="batchSize">Samples per optimizer step, ≥ 1.</param>
    /// <param name="validation">When given, the accuracy on it is measured after every epoch.</param>
    /// <param name="seed">Fixes the shuffling and the dropout masks: epoch <c>e</c> (from 0) is shuffled with
    /// <c>new Rng(Rng.Mix(seed, e))</c> and its batches use <see cref="TrainBatch"/>'s <c>dropoutSeed</c>
    /// <c>Rng.Mix(Rng.Mix(seed, e), c)</c> for a fixed constant <c>c</c>, so each sample's masks depend on (seed, epoch,
    /// sample index) only, never on the thread count or the order of the batch.</param>
    /// <param name="onEpoch">Called after each epoch with its result, e.g. to print progress.</param>
    /// <returns>One result per epoch.</returns>
    public TrainingHistory Fit(Dataset train, int epochs, int batchSize, Dataset? validation = null, ulong seed = 0, Action<EpochResult>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        CheckCompatible(train, nameof(train));
        if (validation is not null)
        {
            CheckCompatible(validation, nameof(validation));
            if (validation.Count == 0)
            {
                throw new ArgumentException("The validation set has no samples.", nameof(validation));
            }
        }

        if (epochs > 0 && train.Count == 0)
        {
            throw new ArgumentException("The training set has no samples.", nameof(train));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        int count = train.Count;
        int[] order = new int[count];
        var results = new List<EpochResult>(epochs);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            ulong epochSeed = Rng.Mix(seed, (ulong)epoch);
            for (int i = 0; i < count; i++)
            {
                order[i] = i;
            }

            var rng = new Rng(epochSeed);
            rng.Shuffle(order);
            ulong dropoutSeed = Rng.Mix(epochSeed, DropoutStream);

            long start = Stopwatch.GetTimestamp();
            double lossSum = 0;
            for (int first = 0; first < count; first += batchSize)
            {
                lossSum += Step(train, order.AsSpan(first, Math.Min(batchSize, count - first)), dropoutSeed);
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            float? accuracy = validation is null ? null : Accuracy(validation);
            var result = new EpochResult(epoch + 1, (float)(lossSum / count), seconds, seconds > 0 ? count / seconds : double.PositiveInfinity, accuracy);
            results.Add(result);
            onEpoch?.Invoke(result);
        }

        return new TrainingHistory(results);
    }

    /// <summary>
    /// Runs one training step: zeroes the gradient, runs forward, loss and backward for the samples
    /// <paramref name="indices"/> of <paramref name="data"/> (split across the workers), sums the gradients of the
    /// mean loss and applies <see cref="Optimizer"/>.
    /// </summary>
    /// <param name="data">The data set the indices refer to.</param>
    /// <param name="indices">The batch: indices of samples in <paramref name="data"/>, at least one.</param>
    /// <param name="dropoutSeed">Sample <c>i</c> of <paramref name="data"/> runs with dropout seed <c>Rng.Mix(dropoutSeed, i)</c>.</param>
    /// <returns>The mean loss of the batch, computed before the update.</returns>
    public float TrainBatch(Dataset data, ReadOnlySpan<int> indices, ulong dropoutSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckCompatible(data, nameof(data));
        return (float)(Step(data, indices, dropoutSeed) / indices.Length);
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

        return (float)((double)Evaluate(data, 0, data.Count, nameof(data)) / data.Count);
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

        int correct = Evaluate(data, first, count, nameof(data));
        _predicted.AsSpan(0, count).CopyTo(predictedClasses);
        return correct;
    }

    /// <summary>Runs evaluation on samples [first, first + count) on all workers; fills <see cref="_predicted"/>; returns the number correct.</summary>
    private int Evaluate(Dataset data, int first, int count, string argument)
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
            for (int w = 0; w < active; w++)
            {
                correct += _workers[w].Correct;
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

    private void CheckCompatible(Dataset data, string paramName)
    {
        if (data.SampleSize != Network.InputSize)
        {
            throw new ArgumentException(
                $"Samples of {data.SampleSize} floats (shape [{string.Join(", ", data.SampleShape)}]) do not fit a network whose input has {Network.InputSize}.",
                paramName);
        }

        if (data.ClassCount != _classes)
        {
            throw new ArgumentException(
                $"The data set has {data.ClassCount} classes but the network has {_classes} outputs; they must be equal.",
                paramName);
        }
    }

    /// <summary>One training step; returns the sum (not the mean) of the batch's losses.</summary>
    private double Step(Dataset data, ReadOnlySpan<int> indices, ulong dropoutSeed)
    {
        int n = indices.Length;
        if (n == 0)
        {
            throw new ArgumentException("A batch needs at least one sample index.", nameof(indices));
        }

        Enter();
        try
        {
            return StepCore(data, indices, dropoutSeed);
        }
        finally
        {
            Exit();
        }
    }

    private double StepCore(Dataset data, ReadOnlySpan<int> indices, ulong dropoutSeed)
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
        _jobKind = JobKind.Train;
        _jobData = data;
        _jobScale = 1f / n;
        _jobSeed = dropoutSeed;
        for (int w = 0; w < active; w++)
        {
            _workers[w].From = (int)((long)n * w / active);
            _workers[w].To = (int)((long)n * (w + 1) / active);
        }

        Run(active);

        Span<float> gradients = _workers[0].Gradients.Span;
        double loss = _workers[0].Loss;
        for (int w = 1; w < active; w++)
        {
            Add(gradients, _workers[w].Gradients.Span);
            loss += _workers[w].Loss;
        }

        Optimizer.Step(Network.Parameters, gradients);
        return loss;
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

        _jobData = null;
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

    private void Exit() => Volatile.Write(ref _busy, 0);

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
            if (_jobKind == JobKind.Train)
            {
                TrainChunk(worker);
            }
            else
            {
                EvaluateChunk(worker);
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
        gradients.Clear();
        double loss = 0;
        for (int k = worker.From; k < worker.To; k++)
        {
            int index = batch[k];
            ReadOnlySpan<float> input = data.Sample(index);
            network.Forward(input, workspace, training: true, Rng.Mix(seed, (ulong)index));
            loss += SoftmaxCrossEntropy.LossAndGradient(logits, labels[index], logitsGradient, scale);
            network.Backward(input, workspace, logitsGradient, gradients);
        }

        worker.Loss = loss;
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
        for (int i = worker.From; i < worker.To; i++)
        {
            network.Forward(data.Sample(i), workspace, training: false, 0);
            int predictedClass = Evaluation.ArgMax(logits);
            predicted[i - first] = predictedClass;
            if (predictedClass == labels[i])
            {
                correct++;
            }
        }

        worker.Correct = correct;
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
