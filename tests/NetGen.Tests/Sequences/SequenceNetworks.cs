using NetGen;

namespace NetGen.Tests.Sequences;

/// <summary>A masked bidirectional tagger: 6 token ids → [6, 3] logits, a Dense on every step.</summary>
[Network, Input(6)]
[Embedding(11, 5, MaskZero = true)]
[LSTM(4, Bidirectional = true, ReturnSequences = true)]
[Dense(3)]
public partial class TinyTagger;

/// <summary>An unmasked sequence classifier: the last step's h of one direction.</summary>
[Network, Input(7)]
[Embedding(9, 4)]
[LSTM(5)]
[Dense(3)]
public partial class TinyLastStep;

/// <summary>Two LSTMs stacked on a masked sequence, the second bidirectional, returning its final states.</summary>
[Network, Input(6)]
[Embedding(10, 4, MaskZero = true)]
[LSTM(3, ReturnSequences = true)]
[LSTM(4, Bidirectional = true)]
[Dense(2)]
public partial class TinyStacked;

/// <summary>A tagger for <see cref="SequenceTrainingTests"/>: 8 token ids → [8, 3] logits.</summary>
[Network, Input(8)]
[Embedding(12, 8, MaskZero = true)]
[LSTM(16, Bidirectional = true, ReturnSequences = true)]
[Dense(3)]
public partial class SyntheticTagger;

/// <summary>
/// Wide enough for the vector paths' row tiles (12 features, 9 units: 36 gate rows = 4 tiles of 8 and one of 4;
/// rows of 12 and 9 floats end in a masked vector), masked and bidirectional.
/// </summary>
[Network, Input(5)]
[Embedding(13, 12, MaskZero = true)]
[LSTM(9, Bidirectional = true, ReturnSequences = true)]
[Dense(3)]
public partial class TinyWide;

/// <summary>A character model for <see cref="LanguageModelTests"/>: windows of 8 characters of 7 kinds (ids 2–8) → the next one's logits at every step.</summary>
[Network, Input(8)]
[Embedding(9, 6, MaskZero = true)]
[LSTM(16, ReturnSequences = true)]
[Dense(9)]
public partial class TinyCharModel;

/// <summary>A masked bidirectional SimpleRNN returning every step, under a stacked SimpleRNN wide enough for the row tiles.</summary>
[Network, Input(6)]
[Embedding(11, 9, MaskZero = true)]
[SimpleRNN(8, Bidirectional = true, ReturnSequences = true)]
[SimpleRNN(10)]
[Dense(3)]
public partial class TinyRnn;
