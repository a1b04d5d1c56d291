using NetGen;

namespace FineTune;

/// <summary>LeNet-5 as in samples/LeNet, pretrained here on Fashion-MNIST: conv1, conv2, then dense1 … dense3.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class LeNet5;

/// <summary>
/// The same convolutions under the same names (so <c>conv1.*</c> and <c>conv2.*</c> of a <see cref="LeNet5"/>
/// checkpoint load into them) with a new, differently named head for the digits: a non-strict load skips the
/// checkpoint's <c>dense*</c> tensors and reports <c>head*</c> as missing, which keep their fresh initialization.
/// </summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2, Name = "conv1"), ReLU, MaxPool2D(2)]
[Conv2D(16, 5, Name = "conv2"), ReLU, MaxPool2D(2)]
[Dense(120, Name = "head1"), ReLU]
[Dense(84, Name = "head2"), ReLU]
[Dense(10, Name = "head3")]
public partial class LeNet5Digits;

/// <summary>
/// <see cref="LeNet5Digits"/> with dropout (rate 0.5) after each hidden layer of the head (<c>--dropout</c>):
/// the same names, so the same checkpoint tensors load into it.
/// </summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2, Name = "conv1"), ReLU, MaxPool2D(2)]
[Conv2D(16, 5, Name = "conv2"), ReLU, MaxPool2D(2)]
[Dense(120, Name = "head1"), ReLU, Dropout(0.5f)]
[Dense(84, Name = "head2"), ReLU, Dropout(0.5f)]
[Dense(10, Name = "head3")]
public partial class LeNet5DigitsDropout;

