using System;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>
/// How busy the machine was with other work while a child ran: the CPU time all processes used (from
/// <c>/proc/stat</c>, hypervisor steal included) minus the child's own, as a share of all cores over the child's
/// wall time. On a shared machine (a build, another test run) this tells which rounds to distrust.
/// </summary>
internal static class SystemLoad
{
    // USER_HZ: the unit of /proc/stat, 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>A reading of the machine's CPU counters.</summary>
    /// <param name="BusySeconds">CPU seconds spent not idle (user, nice, system, irq, softirq, steal), all cores.</param>
    /// <param name="At">When it was read (Stopwatch timestamp).</param>
    internal readonly record struct Sample(double BusySeconds, long At);

    /// <summary>Reads the counters; null where there is no /proc/stat.</summary>
    public static Sample? Read()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            string? line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                return null;
            }

            // cpu  user nice system idle iowait irq softirq steal guest guest_nice
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double busy = 0;
            foreach (int field in new[] { 1, 2, 3, 6, 7, 8 })
            {
                if (field < f.Length)
                {
                    busy += double.Parse(f[field], CultureInfo.InvariantCulture);
                }
            }

            return new Sample(busy / TicksPerSecond, System.Diagnostics.Stopwatch.GetTimestamp());
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The share (0..1) of all cores that other processes kept busy between two readings, given the CPU seconds
    /// <paramref name="ownCpuSeconds"/> that the measured process used in between.
    /// </summary>
    public static double? OtherShare(Sample? before, Sample? after, double? ownCpuSeconds)
    {
        if (before is not { } b || after is not { } a || ownCpuSeconds is not { } own)
        {
            return null;
        }

        double wall = System.Diagnostics.Stopwatch.GetElapsedTime(b.At, a.At).TotalSeconds;
        if (wall <= 0)
        {
            return null;
        }

        return Math.Clamp((a.BusySeconds - b.BusySeconds - own) / (wall * Environment.ProcessorCount), 0, 1);
    }
}
