using System;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>The resident set size of this process from <c>/proc/self/status</c>: its peak, and what it is made of now.</summary>
internal static class ProcessMemory
{
    /// <summary>
    /// <c>VmHWM</c> from <c>/proc/self/status</c> in MiB: the most physical memory this process has held at once,
    /// native allocations and mapped libraries included. Null where there is no such file (not Linux).
    /// </summary>
    public static double? PeakMiB() => Status("VmHWM");

    /// <summary>Resident pages mapped from files now (<c>RssFile</c>): the runtime's, the libraries' and the program's code.</summary>
    public static double? FileBackedMiB() => Status("RssFile");

    /// <summary>Resident anonymous pages now (<c>RssAnon</c>): the managed heap, native allocations, thread stacks, JIT-compiled code.</summary>
    public static double? AnonymousMiB() => Status("RssAnon");

    /// <summary>A "<paramref name="key"/>:  N kB" line of /proc/self/status in MiB; null where there is none.</summary>
    private static double? Status(string key)
    {
        const string StatusFile = "/proc/self/status";
        if (!File.Exists(StatusFile))
        {
            return null;
        }

        foreach (string line in File.ReadLines(StatusFile))
        {
            // "VmHWM:	  865432 kB"
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                string[] parts = line[(key.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                {
                    return kb / 1024.0;
                }
            }
        }

        return null;
    }
}
