namespace NetGen.Generators.Layers;

/// <summary>Average pooling: each output is the mean of its window; backward spreads dy evenly over it.</summary>
internal sealed class AvgPool2DLayer() : Pool2DLayer(isMax: false);
