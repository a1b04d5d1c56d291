using System;

namespace NetGen;

/// <summary>
/// A long short-term memory layer over a sequence [steps, features] (PyTorch's <c>nn.LSTM</c> with
/// <c>batch_first=True</c>, one layer): gates i, f, g, o; keys <c>&lt;name&gt;.weight_ih_l0</c> [4·units, features],
/// <c>weight_hh_l0</c> [4·units, units], <c>bias_ih_l0</c>, <c>bias_hh_l0</c> [4·units], and the same with
/// <c>_reverse</c> for the backward direction; every tensor initialised U(±1/√units), as PyTorch's.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LSTMAttribute(int units) : RecurrentLayerAttribute(units);
