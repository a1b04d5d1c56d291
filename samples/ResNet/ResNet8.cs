using NetGen;

namespace ResNet;

/// <summary>
/// ResNet-8 for 1×28×28 images: a 3×3 stem of 16 channels, then three basic blocks of 16, 32 and 64 channels
/// (the first keeps the size and adds its input back; the other two halve height and width with a stride-2
/// convolution and add a 1×1 stride-2 projection of their input), global average pooling and a dense layer.
/// Every convolution is followed by BatchNorm and has no bias. 77,754 parameters, 18.7 MFLOP per forward image.
/// The layer names are the checkpoint keys (<c>b2_down.weight</c>, <c>b2_down_bn.running_mean</c>, …).
/// </summary>
[Network, Input(1, 28, 28)]
[Conv2D(16, 3, Padding = 1, Bias = false, Name = "conv1"), BatchNorm(Name = "bn1"), ReLU(Name = "stem")]
//   block 1: 16 × 28 × 28, identity shortcut
[Conv2D(16, 3, Padding = 1, Bias = false, Name = "b1_conv1"), BatchNorm(Name = "b1_bn1"), ReLU(Name = "b1_relu1")]
[Conv2D(16, 3, Padding = 1, Bias = false, Name = "b1_conv2"), BatchNorm(Name = "b1_bn2")]
[Add("stem", Name = "b1_add"), ReLU(Name = "block1")]
//   block 2: 32 × 14 × 14, projection shortcut
[Conv2D(32, 3, Stride = 2, Padding = 1, Bias = false, Name = "b2_conv1"), BatchNorm(Name = "b2_bn1"), ReLU(Name = "b2_relu1")]
[Conv2D(32, 3, Padding = 1, Bias = false, Name = "b2_conv2"), BatchNorm(Name = "b2_bn2")]
[Conv2D(32, 1, Stride = 2, Bias = false, From = "block1", Name = "b2_down"), BatchNorm(Name = "b2_down_bn")]
[Add("b2_bn2", Name = "b2_add"), ReLU(Name = "block2")]
//   block 3: 64 × 7 × 7, projection shortcut
[Conv2D(64, 3, Stride = 2, Padding = 1, Bias = false, Name = "b3_conv1"), BatchNorm(Name = "b3_bn1"), ReLU(Name = "b3_relu1")]
[Conv2D(64, 3, Padding = 1, Bias = false, Name = "b3_conv2"), BatchNorm(Name = "b3_bn2")]
[Conv2D(64, 1, Stride = 2, Bias = false, From = "block2", Name = "b3_down"), BatchNorm(Name = "b3_down_bn")]
[Add("b3_bn2", Name = "b3_add"), ReLU(Name = "block3")]
[GlobalAvgPool2D(Name = "pool"), Dense(10, Name = "fc")]
public partial class ResNet8;
