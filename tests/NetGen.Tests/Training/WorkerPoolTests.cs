using System;
using System.Threading;
using Xunit;

namespace NetGen.Tests.Training;

[Collection(TrainingRunsAlone.Name)]
public class WorkerPoolTests
{
    [Fact]
    public void Items_are_split_into_contiguous_chunks_in_worker_order()
    {
        // 10 items on 3 workers: ⌊10·w/3⌋ … ⌊10·(w+1)/3⌋.
        Assert.Equal((0, 3), WorkerPool.Range(10, 3, 0));
        Assert.Equal((3, 6), WorkerPool.Range(10, 3, 1));
        Assert.Equal((6, 10), WorkerPool.Range(10, 3, 2));
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(3, 10)]
    [InlineData(4, 2)]
    public void Every_item_runs_once_on_the_worker_its_range_names(int threads, int count)
    {
        using var pool = new WorkerPool(threads, "test");
        int[] owner = new int[count];
        int[] runs = new int[count];
        Array.Fill(owner, -1);
        pool.Run(new Record(owner, runs), count);
        int active = Math.Min(threads, count);
        for (int w = 0; w < active; w++)
        {
            (int from, int to) = WorkerPool.Range(count, active, w);
            for (int i = from; i < to; i++)
            {
                Assert.Equal(w, owner[i]);
            }
        }

        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void The_lowest_failing_worker_s_exception_is_rethrown_and_the_pool_stays_usable()
    {
        using var pool = new WorkerPool(4, "test");
        var error = Assert.Throws<InvalidOperationException>(() => pool.Run(new Fail(1, 3), 4));
        Assert.Equal("worker 1", error.Message);

        int[] owner = new int[4];
        pool.Run(new Record(owner, new int[4]), 4);
        Assert.Equal([0, 1, 2, 3], owner);
    }

    [Fact]
    public void A_dispatch_allocates_nothing_once_its_job_type_has_run()
    {
        using var pool = new WorkerPool(3, "test");
        int[] owner = new int[64];
        int[] runs = new int[64];
        pool.Run(new Record(owner, runs), 64);
        long best = long.MaxValue;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++)
            {
                pool.Run(new Record(owner, runs), 64);
            }

            best = Math.Min(best, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.Equal(0, best);
    }

    private readonly struct Record(int[] owner, int[] runs) : IWorkerJob
    {
        public void Run(int worker, int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                owner[i] = worker;
                Interlocked.Increment(ref runs[i]);
            }
        }
    }

    private readonly struct Fail(int first, int second) : IWorkerJob
    {
        public void Run(int worker, int from, int to)
        {
            if (worker == first || worker == second)
            {
                throw new InvalidOperationException($"worker {worker}");
            }
        }
    }
}
