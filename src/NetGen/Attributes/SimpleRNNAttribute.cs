using System;

namespace NetGen;

/// <summary>
/// A plain recurrent layer, h ← tanh(W_ih·x + b_ih + W_hh·h + b_hh), over a sequence [steps, features] (PyTorch's <c>nn.RNN</c> with
/// <c>batch_first=True</c>, one layer, tanh): keys <c>&lt;name&gt;.weight_ih_l0</c> [units, features],
/// <c>weight_hh_l0</c> [units, units], <c>bias_ih_l0</c>, <c>bias_hh_l0</c> [units], and the same with
/// <c>_reverse</c> for the backward direction; every tensor initialised U(±1/√units), as PyTorch's.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRNNAttribute(int units) : RecurrentLayerAttribute(units);
