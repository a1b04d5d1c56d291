using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen;

/// <summary>One dispatch's work for a <see cref="WorkerPool"/>: worker <c>w</c> runs the items [from, to).</summary>
internal interface IWorkerJob
{
    /// <summary>Runs worker <paramref name="worker"/>'s share of the job.</summary>
    /// <param name="worker">0 (the calling thread) … active − 1; a job keeps each worker's results in that worker's slot.</param>
    /// <param name="from">The worker's first item.</param>
    /// <param name="to">One past its last item.</param>
    void Run(int worker, int from, int to);
}

/// <summary>
/// A fixed set of threads that run one job at a time: the calling thread is worker 0, the others are dedicated
/// background threads started by the constructor. A dispatch (<see cref="Run{TJob}"/>) hands the job to the
/// workers explicitly and splits its items into contiguous chunks in worker order, always the same way for a count
/// and a thread count (<see cref="Range"/>), so results that the caller combines in worker order are bit-identical
/// run after run.
/// </summary>
/// <remarks>
/// A dispatch allocates nothing once each job type has run once (its value travels in a box kept per type). Not
/// thread-safe: one dispatch at a time. Dispose it to stop its threads.
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    private readonly Signal[] _start;
    private readonly Signal[] _done;
    private readonly Thread?[] _threads;
    private readonly ExceptionDispatchInfo?[] _errors;
    private readonly Dictionary<Type, IDispatch> _boxes = [];
    private IDispatch? _current;
    private int _count;
    private int _active;
    private volatile bool _stopping;
    private bool _disposed;

    /// <summary>Starts <paramref name="threadCount"/> − 1 threads (the caller is the first worker).</summary>
    /// <param name="threadCount">Workers, the calling thread included, ≥ 1.</param>
    /// <param name="name">Names the threads: "<paramref name="name"/> worker 1", …</param>
    public WorkerPool(int threadCount, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threadCount);
        ThreadCount = threadCount;
        _start = new Signal[threadCount];
        _done = new Signal[threadCount];
        _threads = new Thread?[threadCount];
        _errors = new ExceptionDispatchInfo?[threadCount];
        for (int w = 0; w < threadCount; w++)
        {
            _start[w] = new Signal();
            _done[w] = new Signal();
        }

        for (int w = 1; w < threadCount; w++)
        {
            int worker = w;
            _threads[w] = new Thread(() => WorkerLoop(worker))
            {
                IsBackground = true,
                Name = $"{name} worker {w}",
            };
            _threads[w]!.Start();
        }
    }

    private interface IDispatch
    {
        void Run(int worker, int from, int to);

        void Clear();
    }

    /// <summary>Workers, the calling thread included.</summary>
    public int ThreadCount { get; }

    /// <summary>How many workers a job of <paramref name="count"/> items runs on: one item at least each.</summary>
    /// <param name="count">Items of the job, ≥ 1.</param>
    /// <returns>min(<see cref="ThreadCount"/>, <paramref name="count"/>).</returns>
    public int ActiveFor(int count) => Math.Min(ThreadCount, count);

    /// <summary>Worker <paramref name="worker"/>'s items of a job of <paramref name="count"/> items on <paramref name="active"/> workers.</summary>
    /// <param name="count">The job's items.</param>
    /// <param name="active">The workers that run it.</param>
    /// <param name="worker">0 … <paramref name="active"/> − 1.</param>
    /// <returns>The contiguous range [From, To).</returns>
    public static (int From, int To) Range(int count, int active, int worker) =>
        ((int)((long)count * worker / active), (int)((long)count * (worker + 1) / active));

    /// <summary>
    /// Runs <paramref name="job"/> on workers 0 … <see cref="ActiveFor"/>(<paramref name="count"/>) − 1, each on its
    /// <see cref="Range"/> of the items, waits for all, and rethrows the exception of the lowest worker that failed.
    /// </summary>
    /// <typeparam name="TJob">The job's type, a value with everything the workers need.</typeparam>
    /// <param name="job">The work of this dispatch.</param>
    /// <param name="count">Items, ≥ 1.</param>
    public void Run<TJob>(in TJob job, int count)
        where TJob : struct, IWorkerJob
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!_boxes.TryGetValue(typeof(TJob), out IDispatch? dispatch))
        {
            dispatch = new Box<TJob>();
            _boxes[typeof(TJob)] = dispatch;
        }

        ((Box<TJob>)dispatch).Job = job;
        int active = ActiveFor(count);
        _current = dispatch;
        _count = count;
        _active = active;
        try
        {
            for (int w = 1; w < active; w++)
            {
                _start[w].Set();
            }

            Execute(0);
            for (int w = 1; w < active; w++)
            {
                _done[w].Wait();
            }
        }
        finally
        {
            // The pool keeps no reference to the job's data between dispatches.
            dispatch.Clear();
            _current = null;
        }

        ExceptionDispatchInfo? error = null;
        for (int w = 0; w < active; w++)
        {
            error ??= _errors[w];
            _errors[w] = null;
        }

        error?.Throw();
    }

    /// <summary>Stops the threads; the pool cannot run jobs afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping = true;
        for (int w = 1; w < ThreadCount; w++)
        {
            _start[w].Set();
            _threads[w]?.Join();
        }

        for (int w = 0; w < ThreadCount; w++)
        {
            _start[w].Dispose();
            _done[w].Dispose();
        }
    }

    private void WorkerLoop(int worker)
    {
        while (true)
        {
            _start[worker].Wait();
            if (_stopping)
            {
                return;
            }

            Execute(worker);
            _done[worker].Set();
        }
    }

    private void Execute(int worker)
    {
        try
        {
            (int from, int to) = Range(_count, _active, worker);
            _current!.Run(worker, from, to);
        }
#pragma warning disable CA1031 // Any failure of a worker is captured and rethrown on the calling thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _errors[worker] = ExceptionDispatchInfo.Capture(ex);
        }
    }

    /// <summary>Holds one dispatch's job of type <typeparamref name="TJob"/>, so handing it over allocates nothing.</summary>
    private sealed class Box<TJob> : IDispatch
        where TJob : struct, IWorkerJob
    {
        public TJob Job;

        public void Run(int worker, int from, int to) => Job.Run(worker, from, to);

        public void Clear() => Job = default;
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
