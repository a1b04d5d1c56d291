using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// A kind whose training pass needs statistics of the whole batch's input (BatchNorm): the plan starts a new
/// segment of the training pass at each such layer (<see cref="NetworkPlan.Segments"/>), and the emitter, between
/// two segments, calls what the kind says here. Its ordinary forward and backward calls run the training pass
/// from the gathered statistics; in evaluation mode the layer runs <see cref="EvaluationCall"/> instead.
/// </summary>
internal interface ISegmentBoundary
{
    /// <summary>The statement that gathers the batch's statistics of the layer's input between segments (training only).</summary>
    string StatisticsCall(LayerPlan layer, LayerOperands operands, int width);

    /// <summary>The statement that runs the layer in evaluation mode (from its running statistics).</summary>
    string EvaluationCall(LayerPlan layer, LayerOperands operands, int width);

    /// <summary>The statement that computes the layer's input gradient from the batch means gathered between backward segments.</summary>
    string BackwardInputCall(LayerPlan layer, LayerOperands operands, int width);

    /// <summary>
    /// The layer's entry in the network's table of batch-state layers (<c>INetwork.BatchNorms</c>): where its
    /// statistics live in the workspace, the batch state and the buffers.
    /// </summary>
    /// <param name="layer">The layer.</param>
    /// <param name="index">Its index in the network.</param>
    /// <param name="segment">The segment it starts.</param>
    string BatchStateEntry(LayerPlan layer, int index, int segment);
}
