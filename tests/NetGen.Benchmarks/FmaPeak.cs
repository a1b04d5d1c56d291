using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace NetGen.Benchmarks;

/// <summary>
/// Measures the machine's peak single-precision FMA rate: a loop of independent multiply-adds that only the FMA
/// units' throughput limits, on one thread and on several at once, with <see cref="Vector256{T}"/> (AVX2 FMA) and,
/// where the CPU has it, <see cref="Vector512{T}"/> (AVX-512F; on CPUs with a full 512-bit data path it doubles
/// the peak, and NetGen emits Vector512 code where <see cref="Vector512.IsHardwareAccelerated"/>).
/// </summary>
internal static class FmaPeak
{
    // 12 independent accumulator chains: an FMA has 4–5 cycles of latency and x86 cores issue 2 per cycle,
    // so 8–10 chains in flight saturate the units; 12 (+2 constants) still fit the 16 ymm registers.
    private const int Chains = 12;

    /// <summary>True when <see cref="GigaflopsPerSecond"/> can measure <paramref name="bits"/>-bit vectors here.</summary>
    public static bool IsSupported(int bits) => bits switch
    {
        256 => Fma.IsSupported && Vector256.IsHardwareAccelerated,
        512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>The best GFLOP/s seen over <paramref name="tries"/> runs of about <paramref name="seconds"/> each,
    /// with <paramref name="threads"/> threads running the loop at once (their sum), on <paramref name="bits"/>-bit
    /// vectors (256 or 512). Null where the CPU cannot (see <see cref="IsSupported"/>).</summary>
    public static double? GigaflopsPerSecond(int threads, int bits = 256, double seconds = 0.25, int tries = 5)
    {
        if (!IsSupported(bits))
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Func<long, float> kernel = bits == 512 ? Kernel512 : Kernel256;
        long flopsPerIteration = Chains * (bits / 32) * 2; // 12 FMAs × lanes × (multiply + add)

        // Calibrate the iteration count to the time asked for (this also gets the loop jitted).
        long iterations = 1 << 16;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            Sink(kernel(iterations));
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (elapsed > seconds / 4)
            {
                iterations = (long)(iterations * seconds / elapsed);
                break;
            }

            iterations *= 4;
        }

        double best = 0;
        for (int t = 0; t < tries; t++)
        {
            double elapsed = RunOnThreads(threads, iterations, kernel);
            best = Math.Max(best, threads * iterations * flopsPerIteration / elapsed / 1e9);
        }

        return best;
    }

    /// <summary>Wall time for <paramref name="threads"/> threads that start together to finish the loop.</summary>
    private static double RunOnThreads(int threads, long iterations, Func<long, float> kernel)
    {
        using var ready = new CountdownEvent(threads);
        using var go = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            workers[i] = new Thread(() =>
            {
                ready.Signal();
                go.Wait();
                Sink(kernel(iterations));
            })
            { IsBackground = true, Name = "fma-peak" };
            workers[i].Start();
        }

        ready.Wait();
        long start = Stopwatch.GetTimestamp();
        go.Set();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static float _sink;

    private static void Sink(float value) => Volatile.Write(ref _sink, value);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel256(long iterations)
    {
        // x ← x·m + c converges to c / (1 − m) ≈ 0.1: no overflow, no denormals, nothing the JIT can fold.
        Vector256<float> m = Vector256.Create(0.999999f);
        Vector256<float> c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(0.01f), a1 = Vector256.Create(0.02f), a2 = Vector256.Create(0.03f);
        Vector256<float> a3 = Vector256.Create(0.04f), a4 = Vector256.Create(0.05f), a5 = Vector256.Create(0.06f);
        Vector256<float> a6 = Vector256.Create(0.07f), a7 = Vector256.Create(0.08f), a8 = Vector256.Create(0.09f);
        Vector256<float> a9 = Vector256.Create(0.10f), a10 = Vector256.Create(0.11f), a11 = Vector256.Create(0.12f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c);
            a1 = Fma.MultiplyAdd(a1, m, c);
            a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c);
            a4 = Fma.MultiplyAdd(a4, m, c);
            a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c);
            a7 = Fma.MultiplyAdd(a7, m, c);
            a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c);
            a10 = Fma.MultiplyAdd(a10, m, c);
            a11 = Fma.MultiplyAdd(a11, m, c);
        }

        Vector256<float> sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel512(long iterations)
    {
        Vector512<float> m = Vector512.Create(0.999999f);
        Vector512<float> c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(0.01f), a1 = Vector512.Create(0.02f), a2 = Vector512.Create(0.03f);
        Vector512<float> a3 = Vector512.Create(0.04f), a4 = Vector512.Create(0.05f), a5 = Vector512.Create(0.06f);
        Vector512<float> a6 = Vector512.Create(0.07f), a7 = Vector512.Create(0.08f), a8 = Vector512.Create(0.09f);
        Vector512<float> a9 = Vector512.Create(0.10f), a10 = Vector512.Create(0.11f), a11 = Vector512.Create(0.12f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c);
            a1 = Avx512F.FusedMultiplyAdd(a1, m, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, m, c);
            a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c);
            a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, m, c);
            a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }

        Vector512<float> sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector512.Sum(sum);
    }
}
