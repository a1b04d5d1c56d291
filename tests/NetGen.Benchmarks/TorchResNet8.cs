using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen.Benchmarks;

/// <summary>
/// samples/ResNet's ResNet-8 as a TorchSharp module, written the way the torchvision ResNets are: a stem, three
/// basic blocks (16, 32 and 64 channels; the last two with stride 2 and a 1×1 projection shortcut with BatchNorm),
/// global average pooling and a linear head; convolutions without bias (BatchNorm follows each).
/// </summary>
internal sealed class TorchResNet8 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 16, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(16);
    private readonly BasicBlock b1 = new("b1", 16, 16, stride: 1);
    private readonly BasicBlock b2 = new("b2", 16, 32, stride: 2);
    private readonly BasicBlock b3 = new("b3", 32, 64, stride: 2);
    private readonly Linear fc = nn.Linear(64, 10);

    public TorchResNet8()
        : base("ResNet8")
    {
        RegisterComponents();
    }

    /// <summary>The convolution weights, which the benchmark initialises (He-normal, as the NetGen side).</summary>
    public Tensor[] ConvolutionWeights =>
        [conv1.weight!, .. b1.ConvolutionWeights, .. b2.ConvolutionWeights, .. b3.ConvolutionWeights];

    /// <summary>The head, which the benchmark initialises (Glorot-uniform weight, zero bias, as the NetGen side).</summary>
    public Linear Head => fc;

    public override Tensor forward(Tensor x)
    {
        Tensor y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = b3.forward(b2.forward(b1.forward(y)));
        return fc.forward(y.mean([2L, 3L]));
    }

    /// <summary>A basic block: conv-BN-ReLU-conv-BN, plus the input (or its 1×1 stride-s projection with BN), then ReLU.</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly Conv2d conv2;
        private readonly BatchNorm2d bn2;
        private readonly Conv2d? down;
        private readonly BatchNorm2d? down_bn;

        public BasicBlock(string name, int inChannels, int outChannels, int stride)
            : base(name)
        {
            conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(outChannels);
            conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(outChannels);
            if (stride != 1 || inChannels != outChannels)
            {
                down = nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
                down_bn = nn.BatchNorm2d(outChannels);
            }

            RegisterComponents();
        }

        public Tensor[] ConvolutionWeights => down is null ? [conv1.weight!, conv2.weight!] : [conv1.weight!, conv2.weight!, down.weight!];

        public override Tensor forward(Tensor x)
        {
            Tensor main = bn2.forward(conv2.forward(nn.functional.relu(bn1.forward(conv1.forward(x)))));
            Tensor shortcut = down is null ? x : down_bn!.forward(down.forward(x));
            return nn.functional.relu(main + shortcut);
        }
    }
}
