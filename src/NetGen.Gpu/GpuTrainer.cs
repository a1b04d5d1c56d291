using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen.Gpu;

/// <summary>
/// Trains a network on a GPU (or ILGPU's CPU accelerator) with its generated ILGPU kernels, with the semantics of
/// the CPU <see cref="Trainer"/>: the same shuffling (<c>Rng.Mix(seed, epoch)</c>), mean loss over each batch,
/// the same optimizer formulas (SGD with momentum and Nesterov, Adam's bias correction, AdamW's decoupled decay),
/// schedules, clipping by global norm, frozen layers and learning-rate multipliers, early stopping and
/// per-epoch checkpoints, so a seed gives the same accuracy on either device up to float rounding.
/// </summary>
/// <remarks>
/// <para>
/// The training set, the parameters, gradients, optimizer state, BatchNorm statistics and the batch all stay on
/// the device across steps: a step is a gather of the batch (the epoch's shuffled order is uploaded once), the
/// forward pass, the loss, the backward pass and the update, launched without waiting; the device is
/// synchronized once per epoch (or once per batch when <see cref="TrainingOptions.Progress"/> wants each batch's
/// figures). A non-finite loss is caught on the device: that step and every later one leave the weights
/// alone, and the epoch ends with the <see cref="TrainingDivergedException"/> the CPU trainer would throw.
/// Validation runs on the device too. Weights, buffers and the optimizer's state are copied back to
/// <see cref="Network"/> and <see cref="Optimizer"/> when <c>Fit</c> returns, for checkpoints, and when early
/// stopping keeps a best epoch, so Save, evaluation and <c>Predict</c> on the CPU see them.
/// </para>
/// <para>
/// Differences from the CPU trainer: dropout masks come from a counter-based hash on the device, not from the
/// CPU's per-sample generator (same rate, different masks); sums run in other orders and CUDA's exp and tanh are
/// approximate, so weights agree to float rounding rather than bit for bit. Custom <see cref="ILoss"/> and
/// <see cref="IOptimizer"/> implementations are not supported (the device runs generated kernels for the
/// built-in ones). Not thread-safe: one call at a time.
/// </para>
/// </remarks>
public sealed partial class GpuTrainer : IDisposable
{
    private readonly IGpuNetwork _network;
    private readonly GpuKernelSet _kernels;
    private readonly bool _ownsDevice;
    private readonly OptimizerDescription _optimizer;
    private readonly DeviceBuffer<float> _parameters, _gradients, _buffers, _state, _moment1, _moment2, _partials, _scalars;
    private readonly DeviceBuffer<float> _input, _workspace, _logitsGradient, _losses, _batchLoss, _evaluationLoss;
    private readonly DeviceBuffer<int> _correct, _batchCorrect, _evaluationCorrect, _status, _order, _sequence;
    private readonly Dictionary<Dataset, DeviceData> _data = new(ReferenceEqualityComparer.Instance);
    private ParameterGroup[] _groups;
    private bool _anyTrainable = true;
    private GpuLoss _loss = GpuLoss.SoftmaxCrossEntropy;
    private long _stepCount;
    private int[] _steps = [];    // Adam: steps taken by each parameter (PyTorch counts per tensor; frozen ones wait)
    private bool _momentumStarted;
    private int _capacity;
    private int _sequenceReady;
    private bool _fitting;
    private bool _disposed;

    // Early stopping's state from the last LoadCheckpoint, taken by the next Fit that starts at its epoch.
    private (int Epoch, EarlyStoppingTracker.Saved State)? _resumed;

    /// <summary>Creates a trainer on <paramref name="device"/> (or on the best device present when null).</summary>
    /// <param name="network">A network declared in a project that references NetGen.Gpu (so it has kernels); its parameters are updated when training returns.</param>
    /// <param name="optimizer">An <see cref="Sgd"/>, <see cref="Adam"/> or <see cref="AdamW"/>; its state moves to the device and back.</param>
    /// <param name="device">The device; null opens one with <see cref="GpuDeviceKind.Auto"/>, which the trainer disposes.</param>
    /// <exception cref="ArgumentException">The network has no GPU kernels, or the optimizer is not one the device runs.</exception>
    public GpuTrainer(INetwork network, IOptimizer optimizer, GpuDevice? device = null)
        : this(network, optimizer, device ?? GpuDevice.Create(), ownsDevice: device is null)
    {
    }

    private GpuTrainer(INetwork network, IOptimizer optimizer, GpuDevice device, bool ownsDevice)
    {
        _ownsDevice = ownsDevice;
        Device = device;
        if (network is not IGpuNetwork || optimizer is not IDescribedOptimizer)
        {
            if (ownsDevice)
            {
                device.Dispose();
            }

            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(optimizer);
        }

        _network = network as IGpuNetwork ?? throw new ArgumentException(
            $"{network.GetType().Name} has no GPU kernels: NetGen emits them when the project that declares the network references NetGen.Gpu.", nameof(network));
        _optimizer = optimizer is IDescribedOptimizer described
            ? described.Describe()
            : throw new ArgumentException($"The GPU trainer runs Sgd, Adam and AdamW on the device; {optimizer.GetType().Name} is not one of them.", nameof(optimizer));
        Optimizer = optimizer;
        try
        {
            _kernels = _network.CreateKernels(Device);
            var accelerator = Device.Accelerator;
            _parameters = new DeviceBuffer<float>(accelerator, network.ParameterCount);
            _gradients = new DeviceBuffer<float>(accelerator, network.ParameterCount);
            // One device buffer per state tensor the optimizer keeps (a placeholder float where it keeps none).
            _moment1 = new DeviceBuffer<float>(accelerator, _optimizer.StateKeys.Count > 0 ? network.ParameterCount : 1);
            _moment2 = new DeviceBuffer<float>(accelerator, _optimizer.StateKeys.Count > 1 ? network.ParameterCount : 1);
            _buffers = new DeviceBuffer<float>(accelerator, network.Buffers.Length);
            _state = new DeviceBuffer<float>(accelerator, network.BatchStateSize);
            _partials = new DeviceBuffer<float>(accelerator, Device.GridThreads);
            _scalars = new DeviceBuffer<float>(accelerator, 2);
            _input = new DeviceBuffer<float>(accelerator, 1);
            _workspace = new DeviceBuffer<float>(accelerator, 1);
            _logitsGradient = new DeviceBuffer<float>(accelerator, 1);
            _losses = new DeviceBuffer<float>(accelerator, 1);
            _correct = new DeviceBuffer<int>(accelerator, 1);
            _batchLoss = new DeviceBuffer<float>(accelerator, 1);
            _batchCorrect = new DeviceBuffer<int>(accelerator, 1);
            _evaluationLoss = new DeviceBuffer<float>(accelerator, 1);
            _evaluationCorrect = new DeviceBuffer<int>(accelerator, 1);
            _status = new DeviceBuffer<int>(accelerator, 2);
            _order = new DeviceBuffer<int>(accelerator, 1);
            _sequence = new DeviceBuffer<int>(accelerator, 1);
        }
        catch
        {
            if (_ownsDevice)
            {
                Device.Dispose();
            }

            throw;
        }

        _groups = [new ParameterGroup(0, network.ParameterCount)];
    }

    /// <summary>Creates a trainer on a device of <paramref name="kind"/> that it opens and disposes.</summary>
    /// <param name="network">A network declared in a project that references NetGen.Gpu.</param>
    /// <param name="optimizer">An <see cref="Sgd"/>, <see cref="Adam"/> or <see cref="AdamW"/>.</param>
    /// <param name="kind">Which accelerator: CUDA, OpenCL, ILGPU's CPU accelerator, or the best present.</param>
    /// <param name="variant">Which Dense and Conv2D kernels run.</param>
    public GpuTrainer(INetwork network, IOptimizer optimizer, GpuDeviceKind kind, GpuKernelVariant variant = GpuKernelVariant.Auto)
        : this(network, optimizer, GpuDevice.Create(kind, variant), ownsDevice: true)
    {
    }

    /// <summary>The network being trained; it holds the trained weights whenever a call of this trainer has returned.</summary>
    public INetwork Network => _network;

    /// <summary>The optimizer whose hyperparameters and state the device uses.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>The device the kernels run on.</summary>
    public GpuDevice Device { get; }

    /// <summary>Trains for <paramref name="epochs"/> passes of mini-batches: <see cref="Fit(Dataset, Dataset?, TrainingOptions)"/> with those options.</summary>
    /// <param name="train">The training samples.</param>
    /// <param name="epochs">Number of passes, ≥ 0.</param>
    /// <param name="batchSize">Samples per optimizer step, ≥ 1.</param>
    /// <param name="validation">When given, measured after every epoch.</param>
    /// <param name="seed">Fixes the shuffling and the dropout masks.</param>
    /// <param name="onEpoch">Called after each epoch.</param>
    /// <returns>One result per epoch.</returns>
    public TrainingHistory Fit(Dataset train, int epochs, int batchSize, Dataset? validation = null, ulong seed = 0, Action<EpochResult>? onEpoch = null)
        => Fit(train, validation, FitArguments.Options(epochs, batchSize, seed, onEpoch));

    /// <summary>Trains on the device as <see cref="Trainer.Fit(Dataset, Dataset?, TrainingOptions)"/> does on the CPU.</summary>
    /// <param name="train">The training samples.</param>
    /// <param name="validation">Measured after every epoch (accuracy and loss, evaluation mode, on the device).</param>
    /// <param name="options">The loop, loss, schedule and controls.</param>
    /// <returns>One result per epoch run, and why training stopped.</returns>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; that step and the rest of the epoch left the weights alone.</exception>
    public TrainingHistory Fit(Dataset train, Dataset? validation, TrainingOptions options)
    {
        (ParameterGroup[] Groups, int LowestTrainable) plan = FitArguments.Check(Network, train, validation, options);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfFitting();

        UseLoss(options.Loss, train);
        ConfigureTrainable(plan);
        var backend = new DeviceBackend(this, train, options.BatchSize);
        (int Epoch, EarlyStoppingTracker.Saved State)? resumed = _resumed;
        _resumed = null;
        _fitting = true;
        return EpochLoop.Run(backend, train, validation, options, resumed);
    }

    /// <summary>
    /// One training step on the device (gather, forward, loss, backward, update), then the weights, buffers and
    /// optimizer state copied back: a convenience for tests and small jobs, where <c>Fit</c> keeps everything on
    /// the device.
    /// </summary>
    /// <param name="data">The data set the indices refer to.</param>
    /// <param name="indices">The batch: at least one sample index.</param>
    /// <param name="dropoutSeed">Seeds the dropout masks.</param>
    /// <returns>The mean loss of the batch, before the update; NaN or infinity when it diverged, and then the step is not applied.</returns>
    public float TrainBatch(Dataset data, ReadOnlySpan<int> indices, ulong dropoutSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfFitting();
        CheckCompatible(data, nameof(data));
        if (indices.IsEmpty)
        {
            throw new ArgumentException("A batch needs at least one sample index.", nameof(indices));
        }

        foreach (int index in indices)
        {
            if ((uint)index >= (uint)data.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"{index} is not a sample index of a data set of {data.Count}.");
            }
        }

        UseLoss(_loss switch
        {
            GpuLoss.BinaryCrossEntropyWithLogits => new BinaryCrossEntropyWithLogitsLoss(),
            GpuLoss.MeanSquaredError => new MeanSquaredErrorLoss(),
            _ => new SoftmaxCrossEntropyLoss(),
        }, data);
        UploadState();
        DeviceData device = Upload(data);
        int n = indices.Length;
        EnsureCapacity(n);
        _order.Ensure(n);
        _order.Upload(indices);
        _status.Clear();
        long stepsBefore = _stepCount;
        bool momentumBefore = _momentumStarted;
        Step(device, _order.View.SubView(0, n), n, 0, dropoutSeed, null);
        Device.Synchronize();
        float[] loss = new float[1];
        int[] status = new int[2];
        _batchLoss.Download(loss, 0);
        _status.Download(status);
        if (status[0] != 0)
        {
            RewindSteps(stepsBefore);
            _momentumStarted = momentumBefore;
        }

        DownloadState();
        return loss[0] / n;
    }

    /// <summary>Copies the gradient of the last step's mean loss, as the update used it (clipped when the step clipped), into <paramref name="target"/>.</summary>
    /// <param name="target"><see cref="INetwork.ParameterCount"/> floats.</param>
    public void CopyGradients(Span<float> target)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.Length(target.Length, Network.ParameterCount, "gradient floats", nameof(target));
        Device.Synchronize();
        _gradients.Download(target);
    }

    /// <summary>
    /// The accuracy and mean loss (of the last <c>Fit</c>'s loss) on <paramref name="data"/>, computed on the device in
    /// evaluation mode: with the network's weights, or, from a callback during <c>Fit</c>, with the device's current ones.
    /// </summary>
    /// <param name="data">A non-empty data set matching the network.</param>
    /// <returns>(accuracy in [0, 1], mean loss).</returns>
    public (float Accuracy, float Loss) Evaluate(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckCompatible(data, nameof(data));
        if (data.Count == 0)
        {
            throw new ArgumentException("The data set has no samples.", nameof(data));
        }

        UploadUnlessFitting();
        (int correct, double loss) = EvaluateOnDevice(data);
        return ((float)correct / data.Count, (float)(loss / data.Count));
    }

    /// <summary>The fraction of <paramref name="data"/> classified correctly, on the device (evaluation mode).</summary>
    /// <param name="data">A non-empty data set matching the network.</param>
    /// <returns>The accuracy in [0, 1].</returns>
    public float Accuracy(Dataset data) => Evaluate(data).Accuracy;

    /// <summary>The network's outputs (what <see cref="INetwork.Predict(ReadOnlySpan{float}, Span{float})"/> returns) for samples [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>), computed on the device.</summary>
    /// <param name="data">The samples.</param>
    /// <param name="first">First sample.</param>
    /// <param name="count">Number of samples, ≥ 1.</param>
    /// <param name="outputs"><paramref name="count"/> × <see cref="INetwork.OutputSize"/> floats.</param>
    public void Predict(Dataset data, int first, int count, Span<float> outputs)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckCompatible(data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if ((long)first + count > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Samples [{first}, {first + count}) are outside the data set's {data.Count}.");
        }

        int classes = Network.OutputSize;
        Guard.Length(outputs.Length, count * classes, "output floats", nameof(outputs));
        UploadUnlessFitting();
        DeviceData device = Upload(data);
        EnsureSequence(data.Count);
        EnsureCapacity(Math.Min(count, 256));
        int workspaceSize = Network.WorkspaceSize;
        float[] workspace = new float[workspaceSize];
        for (int done = 0; done < count; done += _capacity)
        {
            int n = Math.Min(_capacity, count - done);
            var step = new GpuStep { Count = n, Training = 0, Scale = 0f };
            GpuViews views = Views(device, _sequence.View.SubView(first + done, n));
            _kernels.Gather(views, step);
            _kernels.Forward(views, step);
            Device.Synchronize();
            for (int s = 0; s < n; s++)
            {
                _workspace.Download(outputs.Slice((done + s) * classes, classes), ((long)s * workspaceSize) + _kernels.OutputOffset);
            }
        }
    }

    /// <summary>
    /// Writes a checkpoint as <see cref="Trainer.SaveCheckpoint"/> does (weights, BatchNorm statistics, optimizer state,
    /// epoch), after copying the device's state back to the network and the optimizer.
    /// </summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="epoch">Epochs completed.</param>
    public void SaveCheckpoint(string path, int epoch) => SaveCheckpoint(path, epoch, tracker: null);

    /// <summary>
    /// Loads a checkpoint as <see cref="Trainer.LoadCheckpoint"/> does (weights, BatchNorm statistics, optimizer
    /// state, and early stopping's state for the next <c>Fit</c> that starts at its epoch); the next <c>Fit</c>
    /// uploads them to the device.
    /// </summary>
    /// <remarks>
    /// As on the CPU, the optimizer's state is restored when the file's is of this optimizer's kind and settings and
    /// starts fresh otherwise (the result says why), and the whole file is checked before anything changes: when it
    /// throws, the network, the optimizer and this trainer are as they were.
    /// </remarks>
    /// <param name="path">The safetensors file.</param>
    /// <returns>The epochs completed when it was written (pass it as <see cref="TrainingOptions.StartEpoch"/> to resume), the tensors and the optimizer state's fate (read <c>.Epoch</c>).</returns>
    public TrainerCheckpointLoad LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfFitting();
        TrainerCheckpointLoad loaded = TrainingCheckpoint.Load(Network, Optimizer, path, out EarlyStoppingTracker.Saved? earlyStopping);
        _resumed = earlyStopping is null ? null : (loaded.Epoch, earlyStopping);
        return loaded;
    }

    private void SaveCheckpoint(string path, int epoch, EarlyStoppingTracker? tracker)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        DownloadState();
        TrainingCheckpoint.Save(Network, Optimizer.ExportState(), path, epoch, tracker);
    }

    /// <summary>Releases the device buffers (and the device, when the trainer opened it). The network keeps its weights.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (DeviceData data in _data.Values)
        {
            data.Dispose();
        }

        _data.Clear();
        foreach (IDisposable buffer in new IDisposable[]
        {
            _parameters, _gradients, _buffers, _state, _moment1, _moment2, _partials, _scalars, _input, _workspace, _logitsGradient,
            _losses, _batchLoss, _correct, _batchCorrect, _evaluationLoss, _evaluationCorrect, _status, _order, _sequence,
        })
        {
            buffer.Dispose();
        }

        if (_ownsDevice)
        {
            Device.Dispose();
        }
    }

    /// <summary>Launches one training step; waits for nothing.</summary>
    private void Step(DeviceData data, ILGPU.ArrayView<int> indices, int n, int batch, ulong dropoutSeed, float? maxGradientNorm)
    {
        GpuViews views = Views(data, indices);
        var step = new GpuStep
        {
            Count = n,
            Training = 1,
            UpdateStatistics = 1,
            Seed = dropoutSeed,
            Scale = 1f / n,
            Batch = batch,
            TargetSize = data.Source.TargetSize,
        };
        _kernels.Gather(views, step);
        _kernels.Forward(views, step);
        _kernels.Loss(views, step, _loss);
        if (!_anyTrainable)
        {
            return;
        }

        _gradients.Clear();
        _kernels.Backward(views, step, Network.TrainableFrom);
        if (maxGradientNorm is float maxNorm)
        {
            if (!(maxNorm > 0f))
            {
                throw new ArgumentOutOfRangeException(nameof(maxGradientNorm), maxNorm, "The maximum norm must be > 0 (positive infinity measures without clipping).");
            }

            _partials.Clear();
            foreach (ParameterGroup group in _groups)
            {
                _kernels.SumOfSquares(views, new GpuUpdate { Offset = group.Offset, Length = group.Length });
            }

            // One partial sum per thread group of the grid-stride launches.
            _kernels.ClipFactor(views, new GpuUpdate { MaxNorm = maxNorm, Length = Device.GridConfig.GridDim.X });
            foreach (ParameterGroup group in _groups)
            {
                _kernels.ScaleGradients(views, new GpuUpdate { Offset = group.Offset, Length = group.Length });
            }
        }

        long t = _stepCount + 1;
        float learningRate = Optimizer.LearningRate;
        foreach (ParameterGroup group in _groups)
        {
            double lr = (double)learningRate * group.LearningRateScale;
            OptimizerDescription optimizer = _optimizer;
            switch (optimizer.Rule)
            {
                case UpdateRule.Sgd:
                    _kernels.Sgd(views, new GpuUpdate
                    {
                        Offset = group.Offset,
                        Length = group.Length,
                        LearningRate = learningRate * group.LearningRateScale,
                        Momentum = optimizer.Momentum,
                        WeightDecay = optimizer.WeightDecay,
                        First = _momentumStarted ? 0 : 1,
                        Nesterov = optimizer.Nesterov ? 1 : 0,
                    });
                    break;
                default:
                    int end = group.Offset + group.Length;
                    for (int start = group.Offset; start < end;)
                    {
                        // One launch per run of parameters that have taken equally many steps, as AdamCore does.
                        (int length, int taken) = OptimizerSupport.StepRun(_steps, start, end);
                        int count = checked(taken + 1);
                        AdamCoefficients c = optimizer.AdamStep(lr, count);
                        _kernels.Adam(views, new GpuUpdate
                        {
                            Offset = start,
                            Length = length,
                            Beta1 = optimizer.Beta1,
                            Beta2 = optimizer.Beta2,
                            Epsilon = optimizer.Epsilon,
                            StepSize = c.StepSize,
                            BiasCorrection2Sqrt = c.BiasCorrection2Sqrt,
                            L2 = c.L2,
                            Decay = c.Decay,
                        });
                        _steps.AsSpan(start, length).Fill(count);
                        start += length;
                    }

                    break;
            }
        }

        _stepCount = t;
        _momentumStarted = true;
    }

    /// <summary>Evaluation-mode forward and loss of every sample of <paramref name="data"/> on the device.</summary>
    private (int Correct, double Loss) EvaluateOnDevice(Dataset data)
    {
        DeviceData device = Upload(data);
        EnsureSequence(data.Count);
        EnsureCapacity(Math.Max(_capacity, Math.Min(data.Count, 256)));
        int chunks = (data.Count + _capacity - 1) / _capacity;
        _evaluationLoss.Ensure(chunks);
        _evaluationCorrect.Ensure(chunks);
        for (int b = 0; b < chunks; b++)
        {
            int first = b * _capacity;
            int n = Math.Min(_capacity, data.Count - first);
            var step = new GpuStep { Count = n, Training = 0, Scale = 0f, Batch = b, TargetSize = data.TargetSize };
            // Its own tallies, so an evaluation from a progress callback leaves the epoch's alone.
            GpuViews views = Views(device, _sequence.View.SubView(first, n)) with { BatchLoss = _evaluationLoss.View, BatchCorrect = _evaluationCorrect.View };
            _kernels.Gather(views, step);
            _kernels.Forward(views, step);
            _kernels.Loss(views, step, _loss);
        }

        Device.Synchronize();
        float[] losses = new float[chunks];
        int[] correct = new int[chunks];
        _evaluationLoss.Download(losses);
        _evaluationCorrect.Download(correct);
        double loss = 0;
        int right = 0;
        for (int b = 0; b < chunks; b++)
        {
            loss += losses[b];
            right += correct[b];
        }

        return (right, loss);
    }

    private GpuViews Views(DeviceData data, ILGPU.ArrayView<int> indices) => new()
    {
        Input = _input.View,
        Workspace = _workspace.View,
        Parameters = _parameters.View,
        Gradients = _gradients.View,
        LogitsGradient = _logitsGradient.View,
        Buffers = _buffers.View,
        State = _state.View,
        Data = data.Features.View,
        Labels = data.Labels.View,
        Targets = data.Targets.View,
        Indices = indices,
        Losses = _losses.View,
        Correct = _correct.View,
        BatchLoss = _batchLoss.View,
        BatchCorrect = _batchCorrect.View,
        Status = _status.View,
        Moment1 = _moment1.View,
        Moment2 = _moment2.View,
        Partials = _partials.View,
        Scalars = _scalars.View,
    };

    /// <summary>The device copy of <paramref name="data"/>, uploaded on first use.</summary>
    private DeviceData Upload(Dataset data)
    {
        if (!_data.TryGetValue(data, out DeviceData? device))
        {
            device = new DeviceData(Device.Accelerator, data);
            _data[data] = device;
        }

        return device;
    }

    /// <summary>Room for batches of <paramref name="n"/> samples.</summary>
    private void EnsureCapacity(int n)
    {
        if (n <= _capacity)
        {
            return;
        }

        _capacity = n;
        _input.Ensure((long)n * Network.InputSize);
        _workspace.Ensure((long)n * Network.WorkspaceSize);
        _logitsGradient.Ensure((long)n * Network.OutputSize);
        _losses.Ensure(n);
        _correct.Ensure(n);
    }

    /// <summary>Indices 0 … count − 1 on the device, for evaluation in data-set order.</summary>
    private void EnsureSequence(int count)
    {
        if (_sequenceReady >= count)
        {
            return;
        }

        _sequence.Ensure(count);
        int[] sequence = new int[count];
        for (int i = 0; i < count; i++)
        {
            sequence[i] = i;
        }

        _sequence.Upload(sequence);
        _sequenceReady = count;
    }

    private void ThrowIfFitting()
    {
        if (_fitting)
        {
            throw new InvalidOperationException("The GPU trainer is in Fit; from its callbacks, evaluate, predict or save a checkpoint, but do not train.");
        }
    }

    /// <summary>Uploads the host's state, except during <c>Fit</c> (a callback's call), where the device's is the current one.</summary>
    private void UploadUnlessFitting()
    {
        if (!_fitting)
        {
            UploadState();
        }
    }

    /// <summary>Copies the network's parameters and buffers and the optimizer's state to the device.</summary>
    private void UploadState()
    {
        _parameters.Upload(Network.Parameters);
        _buffers.Upload(Network.Buffers);
        OptimizerState state = Optimizer.ExportState();
        _stepCount = state.StepCount;
        _momentumStarted = false;
        IReadOnlyList<string> keys = _optimizer.StateKeys;
        if (_optimizer.CountsSteps && _steps.Length != Network.ParameterCount)
        {
            _steps = new int[Network.ParameterCount];
        }

        if (keys.Count > 0 && AllPresent(state, keys))
        {
            for (int i = 0; i < keys.Count; i++)
            {
                Moment(i).Upload(state.Buffers[keys[i]]);
            }

            _momentumStarted = true;
            if (_optimizer.CountsSteps)
            {
                OptimizerSupport.ImportSteps(state.Buffers.GetValueOrDefault(OptimizerKeys.Steps), _stepCount, _steps, nameof(state));
            }
        }
        else if (_optimizer.CountsSteps)
        {
            // Adam without state: its moments and step counts start from zero (SGD's first step overwrites its velocity).
            _moment1.Clear();
            _moment2.Clear();
            _steps.AsSpan().Clear();
        }
    }

    private static bool AllPresent(OptimizerState state, IReadOnlyList<string> keys)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            if (!state.Buffers.ContainsKey(keys[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The device buffer of the optimizer's state tensor <paramref name="index"/> (<see cref="OptimizerDescription.StateKeys"/>).</summary>
    private DeviceBuffer<float> Moment(int index) => index == 0 ? _moment1 : _moment2;

    /// <summary>Copies the device's parameters, buffers and optimizer state back to the network and the optimizer.</summary>
    private void DownloadState()
    {
        Device.Synchronize();
        _parameters.Download(Network.Parameters);
        _buffers.Download(Network.Buffers);
        int count = Network.ParameterCount;
        var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        IReadOnlyList<string> keys = _optimizer.StateKeys;
        // SGD's velocity exists once a step has run with it; Adam's moments once any step has.
        if (_stepCount > 0 && (_momentumStarted || _optimizer.CountsSteps))
        {
            for (int i = 0; i < keys.Count; i++)
            {
                float[] values = new float[count];
                Moment(i).Download(values);
                buffers[keys[i]] = values;
            }

            if (_optimizer.CountsSteps && OptimizerSupport.ExportSteps(_steps, _stepCount) is float[] steps)
            {
                buffers[OptimizerKeys.Steps] = steps;
            }
        }

        Optimizer.ImportState(new OptimizerState(_optimizer.Kind, _stepCount, buffers));
    }

    /// <summary>
    /// Takes back the steps after <paramref name="stepCount"/> that the device skipped (a non-finite loss): every
    /// group advanced by one per launched step, so its parameters' Adam counts go back by as many.
    /// </summary>
    private void RewindSteps(long stepCount)
    {
        int undo = checked((int)(_stepCount - stepCount));
        if (_optimizer.CountsSteps && undo > 0)
        {
            foreach (ParameterGroup group in _groups)
            {
                foreach (ref int c in _steps.AsSpan(group.Offset, group.Length))
                {
                    c -= undo;
                }
            }
        }

        _stepCount = stepCount;
    }

    private void CheckCompatible(Dataset data, string paramName) => FitArguments.CheckData(Network, data, paramName);

    private void UseLoss(ILoss loss, Dataset data)
    {
        GpuLoss kind = loss switch
        {
            SoftmaxCrossEntropyLoss => GpuLoss.SoftmaxCrossEntropy,
            BinaryCrossEntropyWithLogitsLoss => GpuLoss.BinaryCrossEntropyWithLogits,
            MeanSquaredErrorLoss => GpuLoss.MeanSquaredError,
            _ => throw new ArgumentException($"The GPU trainer computes softmax cross-entropy, binary cross-entropy and mean squared error on the device; {loss.Name} is not one of them.", nameof(loss)),
        };
        bool crossEntropy = kind == GpuLoss.SoftmaxCrossEntropy;
        FitArguments.CheckLoss(Network, loss, crossEntropy);

        if (!crossEntropy && data.Targets is not null && data.TargetSize != Network.OutputSize)
        {
            throw new ArgumentException($"The data set's targets have {data.TargetSize} values per sample; the network has {Network.OutputSize} outputs.", nameof(data));
        }

        _loss = kind;
    }

    /// <summary>Frozen layers and learning-rate multipliers as parameter groups, exactly as the CPU trainer forms them.</summary>
    private void ConfigureTrainable((ParameterGroup[] Groups, int LowestTrainable) plan)
    {
        (_groups, int lowest) = plan;
        _anyTrainable = _groups.Length > 0;
        Network.TrainableFrom = lowest;
    }
}
