using System;

namespace NetGen;

/// <summary>
/// Global average pooling: [C, H, W] → [C], each channel's mean over its plane (PyTorch's
/// <c>AdaptiveAvgPool2d(1)</c> then <c>flatten(1)</c>). The usual head of a ResNet, before its last Dense.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool2DAttribute : LayerAttribute;
