namespace NetGen;

/// <summary>A tensor that <see cref="Checkpoint.Load"/> did not copy, and why.</summary>
/// <param name="Key">The tensor's key (a PyTorch state-dict key such as <c>dense3.weight</c>).</param>
/// <param name="Reason">Why it was skipped, e.g. <c>shape [10, 84] expected, file has [10, 100]</c>.</param>
public sealed record SkippedTensor(string Key, string Reason)
{
    /// <summary>The key and the reason: <c>dense3.weight: shape [10, 84] expected, file has [10, 100]</c>.</summary>
    public override string ToString() => $"{Key}: {Reason}";
}
