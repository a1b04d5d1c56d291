using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Which parameters a training run updates, shared by the CPU and GPU trainers: the layers named in
/// <see cref="TrainingOptions.FrozenLayers"/> (or below the last <see cref="TrainingOptions.TrainLastLayers"/>
/// layers with parameters) are left out, and each remaining layer's range gets its learning-rate multiplier.
/// </summary>
internal static class TrainableLayers
{
    /// <summary>
    /// The optimizer's parameter groups (adjacent layers with the same multiplier merged) and the index of the
    /// lowest trainable layer (<c>Layers.Count</c> when every layer is frozen). Unknown layer names and invalid
    /// multipliers are errors that list the network's layers.
    /// </summary>
    public static (ParameterGroup[] Groups, int LowestTrainable) Plan(INetwork network, TrainingOptions options)
    {
        IReadOnlyList<LayerInfo> layers = network.Layers;
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (LayerInfo layer in layers)
        {
            known.Add(layer.Name);
        }

        var frozenNames = new HashSet<string>((IEnumerable<string>?)options.FrozenLayers ?? [], StringComparer.Ordinal);
        foreach (string name in frozenNames)
        {
            if (!known.Contains(name))
            {
                throw new ArgumentException($"TrainingOptions.FrozenLayers: '{name}' is not a layer of the network; expected one of {string.Join(", ", known)}.", nameof(options));
            }
        }

        foreach (KeyValuePair<string, float> multiplier in (IEnumerable<KeyValuePair<string, float>>?)options.LearningRateMultipliers ?? [])
        {
            if (!known.Contains(multiplier.Key))
            {
                throw new ArgumentException($"TrainingOptions.LearningRateMultipliers: '{multiplier.Key}' is not a layer of the network; expected one of {string.Join(", ", known)}.", nameof(options));
            }

            if (!(multiplier.Value >= 0f && float.IsFinite(multiplier.Value)))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"TrainingOptions.LearningRateMultipliers: the multiplier of '{multiplier.Key}' must be finite and ≥ 0; got {multiplier.Value}."), nameof(options));
            }
        }

        int withParameters = 0;
        foreach (LayerInfo layer in layers)
        {
            withParameters += layer.ParameterCount > 0 ? 1 : 0;
        }

        if (options.TrainLastLayers is int last && (last < 0 || last > withParameters))
        {
            throw new ArgumentException($"TrainingOptions.TrainLastLayers: expected 0 ≤ TrainLastLayers ≤ {withParameters} (the layers with parameters), got {last}.", nameof(options));
        }

        var groups = new List<ParameterGroup>();
        int lowest = layers.Count, seen = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            LayerInfo layer = layers[i];
            if (layer.ParameterCount == 0)
            {
                continue;
            }

            seen++;
            bool frozen = frozenNames.Contains(layer.Name)
                || (options.TrainLastLayers is int n && seen <= withParameters - n);
            if (frozen)
            {
                continue;
            }

            lowest = Math.Min(lowest, i);
            float scale = options.LearningRateMultipliers is not null && options.LearningRateMultipliers.TryGetValue(layer.Name, out float m) ? m : 1f;
            int offset = int.MaxValue;
            foreach (TensorInfo t in layer.Tensors)
            {
                if (!t.IsBuffer)
                {
                    offset = Math.Min(offset, t.Offset);
                }
            }

            ParameterGroup group = new(offset, layer.ParameterCount, scale);
            if (groups.Count > 0 && groups[^1].Offset + groups[^1].Length == offset && groups[^1].LearningRateScale == scale)
            {
                groups[^1] = groups[^1] with { Length = groups[^1].Length + group.Length };
            }
            else
            {
                groups.Add(group);
            }
        }

        return ([.. groups], lowest);
    }
}
