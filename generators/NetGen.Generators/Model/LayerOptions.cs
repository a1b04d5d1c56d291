namespace NetGen.Generators.Model;

/// <summary>
/// A layer kind's own options, as its attribute gives them (Dense's units, Conv2D's kernel, stride and padding,
/// Dropout's rate, …): each kind declares its record beside itself, derived from this one, and reads it back from
/// <see cref="LayerSpec.Options"/> and <see cref="LayerPlan.Options"/>. Records compare by value, so the
/// generator's incremental cache sees an unchanged layer as unchanged. A kind without options uses <see cref="None"/>.
/// </summary>
internal record LayerOptions
{
    /// <summary>The options of a kind whose attribute has none (only its <c>Name</c>).</summary>
    public static LayerOptions None { get; } = new();
}
