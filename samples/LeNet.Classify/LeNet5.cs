using NetGen;

namespace LeNet.Classify;

/// <summary>
/// The LeNet-5 of samples/LeNet, with the weights that sample trained baked in: <c>new LeNet5()</c> starts from
/// lenet5.safetensors (an AdditionalFiles item of this project), checked against these layers at compile time.
/// </summary>
[Network(Weights = "lenet5.safetensors"), Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class LeNet5;
