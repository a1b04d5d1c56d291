namespace NetGen.Generators.Layers;

/// <summary>Max pooling: each output is the largest value of its window; backward routes dy to the window's first maximum, as PyTorch does.</summary>
internal sealed class MaxPool2DLayer() : Pool2DLayer(isMax: true);
