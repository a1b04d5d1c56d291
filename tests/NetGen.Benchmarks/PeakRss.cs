using System;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>The peak resident set size of this process (Linux <c>VmHWM</c>).</summary>
internal static class PeakRss
{
    /// <summary>
    /// <c>VmHWM</c> from <c>/proc/self/status</c> in MiB: the most physical memory this process has held at once,
    /// native allocations and mapped libraries included. Null where there is no such file (not Linux).
    /// </summary>
    public static double? MiB()
    {
        const string StatusFile = "/proc/self/status";
        if (!File.Exists(StatusFile))
        {
            return null;
        }

        foreach (string line in File.ReadLines(StatusFile))
        {
            // "VmHWM:	  865432 kB"
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                string[] parts = line["VmHWM:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                {
                    return kb / 1024.0;
                }
            }
        }

        return null;
    }
}
