using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>A network the benchmark runs on every side (<c>--model</c>), with the work one image takes.</summary>
/// <param name="Name">The value of <c>--model</c>.</param>
/// <param name="Title">How the report names it.</param>
/// <param name="ForwardFlopsPerImage">FLOPs of one forward pass.</param>
/// <param name="TrainingFlopsPerImage">FLOPs of one training step per image.</param>
internal sealed record BenchModel(string Name, string Title, long ForwardFlopsPerImage, long TrainingFlopsPerImage)
{
    /// <summary>LeNet-5 (<see cref="LeNet5Shape"/>).</summary>
    public static BenchModel LeNet { get; } = new("lenet", "LeNet-5", LeNet5Shape.ForwardFlopsPerImage, LeNet5Shape.TrainingFlopsPerImage);

    /// <summary>samples/ResNet's ResNet-8 (<see cref="ResNet8Shape"/>).</summary>
    public static BenchModel ResNet { get; } = new("resnet", "ResNet-8", ResNet8Shape.ForwardFlopsPerImage, ResNet8Shape.TrainingFlopsPerImage);

    /// <summary>The stride-2 CNN (<see cref="StridedCnnShape"/>).</summary>
    public static BenchModel Strided { get; } = new("strided", "stride-2 CNN", StridedCnnShape.ForwardFlopsPerImage, StridedCnnShape.TrainingFlopsPerImage);

    /// <summary>Every model, by <see cref="Name"/>.</summary>
    public static IReadOnlyList<BenchModel> All { get; } = [LeNet, ResNet, Strided];

    /// <summary>The model called <paramref name="name"/>.</summary>
    public static BenchModel Named(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"Unknown model '{name}'; expected one of: {string.Join(", ", All.Select(m => m.Name))}.", nameof(name));
}
