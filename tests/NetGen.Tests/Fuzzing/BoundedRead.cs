using System;
using System.Diagnostics;
using Xunit;

namespace NetGen.Tests.Fuzzing;

/// <summary>
/// One read of a damaged file by a mutation test: it succeeds or throws the reader's format exception
/// naming the file, never another exception, within <see cref="PerCase"/> and an allocation bound.
/// </summary>
internal static class BoundedRead
{
    /// <summary>How long one read may take.</summary>
    public static readonly TimeSpan PerCase = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The result of <paramref name="read"/>, or null for a <typeparamref name="TFormatException"/> whose message
    /// contains <paramref name="name"/> (<paramref name="nameIs"/> says what that is, for the failure message).
    /// </summary>
    public static T? Run<T, TFormatException>(Func<T> read, string name, string nameIs, long bound, string context)
        where T : class
        where TFormatException : Exception
    {
        T? result = null;
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            result = read();
        }
        catch (TFormatException e)
        {
            Assert.True(e.Message.Contains(name, StringComparison.Ordinal), $"{context}: the message does not name {nameIs}: {e.Message}");
        }
        catch (Exception e)
        {
            Assert.Fail($"{context}: {e.GetType().Name} (expected success or {typeof(TFormatException).Name}): {e.Message}");
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= bound, $"{context}: the read allocated {allocated} bytes; expected at most {bound}");
        Assert.True(clock.Elapsed < PerCase, $"{context}: the read took {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }
}
