namespace NetGen;

/// <summary>
/// Where a BatchNorm layer keeps its statistics, as the runtime needs them to gather a batch's statistics between
/// the segments of a training pass (see <see cref="BatchNormalization"/>).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="LayerIndex">Index in <see cref="INetwork.Layers"/>.</param>
/// <param name="Segment">The segment the layer starts (from 1); its input's statistics are gathered after segment <c>Segment − 1</c>.</param>
/// <param name="Channels">C: the normalized channels.</param>
/// <param name="Spatial">Values per channel in one sample (H·W; 1 after a Dense).</param>
/// <param name="StatisticsOffset">Workspace offset of the sample's 2·C statistics: forward, Σx and Σ(x − mean)² per channel; backward, Σdy and Σdy·x̂.</param>
/// <param name="StateOffset">Offset in the batch state of the layer's 4·C floats: mean, 1/σ, mean dy, mean dy·x̂ per channel.</param>
/// <param name="RunningMeanOffset">Offset of <c>running_mean</c> in <see cref="INetwork.Buffers"/>.</param>
/// <param name="RunningVarOffset">Offset of <c>running_var</c> in <see cref="INetwork.Buffers"/>.</param>
/// <param name="Epsilon">Added to the variance before the square root.</param>
/// <param name="Momentum">Weight of the batch statistics in the running statistics' update.</param>
public sealed record BatchNormInfo(
    string Name,
    int LayerIndex,
    int Segment,
    int Channels,
    int Spatial,
    int StatisticsOffset,
    int StateOffset,
    int RunningMeanOffset,
    int RunningVarOffset,
    float Epsilon,
    float Momentum);
