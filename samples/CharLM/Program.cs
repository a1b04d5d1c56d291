// Trains a character-level LSTM language model, compiled by NetGen, on the Brown corpus text that ships in
// samples/data/brown (each sentence's words joined by spaces, one sentence a line): one line per epoch with the
// training bits per character, then the test split's, then a paragraph generated from a prompt.
using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CharLM;
using NetGen;
using NetGen.Samples;

var data = new Option<DirectoryInfo>("--data")
{
    Description = "Folder with brown-train.tsv.gz and brown-test.tsv.gz (default: the copy next to the program).",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "data", "brown")),
};
var epochs = SampleOptions.Int("--epochs", "Passes over the training text.", 1, Bounds.AtLeast(1));
var batch = SampleOptions.Int("--batch", "Windows per step.", 32, Bounds.AtLeast(1));
var rate = SampleOptions.Float("--lr", "Adam's learning rate.", 4e-3f, Bounds.Above(0));
var clip = SampleOptions.Float("--clip", "Largest global gradient norm.", 5f, Bounds.Above(0));
var trainWindows = SampleOptions.Int("--train-windows", "Train on the first N windows of 128 characters (0: all, about 38,600).", 0, Bounds.AtLeast(0));
var testWindows = SampleOptions.Int("--test-windows", "Measure on the first N test windows (0: all, about 4,900).", 0, Bounds.AtLeast(0));
var prompt = new Option<string>("--prompt") { Description = "The text to continue.", DefaultValueFactory = _ => "The " };
var temperature = SampleOptions.Float("--temperature", "Softmax temperature of the generated characters (0: always the likeliest).", 0.7f, Bounds.AtLeast(0));
var length = SampleOptions.Int("--length", "Characters to generate.", 400, Bounds.AtLeast(0));
var threads = SampleOptions.Int("--threads", "Worker threads (default: all cores).", Environment.ProcessorCount, Bounds.AtLeast(1));
var seed = SampleOptions.Int("--seed", "Seeds the weights, the order of the windows and the generated text.", 1, Bounds.AtLeast(0));
var root = new RootCommand("Train a character-level LSTM language model, compiled by NetGen, on the Brown corpus, and let it write.")
{
    data, epochs, batch, rate, clip, trainWindows, testWindows, prompt, temperature, length, threads, seed,
};

return SampleMain.Run(root, args, parsed =>
{
    DirectoryInfo folder = parsed.GetValue(data)!;
    string Split(string name) => Path.Combine(folder.FullName, "brown-" + name + ".tsv.gz");
    string trainText = LanguageModelData.Text(Conll.Load(Split("train"), 2));
    string testText = LanguageModelData.Text(Conll.Load(Split("test"), 2));
    Vocabulary characters = LanguageModelData.Characters(trainText, maxSize: CharModel.Characters);
    if (characters.Count != CharModel.Characters)
    {
        throw new InvalidDataException($"{folder.FullName}: the training text has {characters.Count - 2} characters; the network was compiled for {CharModel.Characters - 2}.");
    }

    int? Limit(int n) => n > 0 ? n : null;
    Dataset train = LanguageModelData.Windows(trainText, characters, CharModel.Window, Limit(parsed.GetValue(trainWindows)));
    Dataset test = LanguageModelData.Windows(testText, characters, CharModel.Window, Limit(parsed.GetValue(testWindows)));
    var net = new CharModel(parsed.GetValue(seed));
    Console.WriteLine($"network: CharModel, {CharModel.ParameterCount:N0} parameters; {train.Count:N0} training windows ({(long)train.Count * CharModel.Window:N0} characters), {test.Count:N0} test windows, {characters.Count - 2} characters");

    var loss = new SequenceCrossEntropyLoss(CharModel.Characters);
    using var trainer = new Trainer(net, new Adam(parsed.GetValue(rate)), parsed.GetValue(threads));
    for (int epoch = 0; epoch < parsed.GetValue(epochs); epoch++)
    {
        long start = Stopwatch.GetTimestamp();
        var history = trainer.Fit(train, null, new TrainingOptions
        {
            StartEpoch = epoch, Epochs = epoch + 1, BatchSize = parsed.GetValue(batch), Seed = (ulong)parsed.GetValue(seed), Loss = loss,
            MaxGradientNorm = parsed.GetValue(clip),
        });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine($"epoch {epoch + 1}: train bits per character {LanguageModelData.BitsPerCharacter(history.Epochs[^1].TrainingLoss):F3}, train characters/s {(long)train.Count * CharModel.Window / seconds:N0}");
    }

    (_, float testLoss) = trainer.Evaluate(test);
    Console.WriteLine($"test bits per character: {LanguageModelData.BitsPerCharacter(testLoss):F3}");
    Console.WriteLine("generated:");
    Console.WriteLine(LanguageModelData.Generate(net, characters, parsed.GetValue(prompt)!, parsed.GetValue(length), parsed.GetValue(temperature), (ulong)parsed.GetValue(seed)));
    return ExitCodes.Success;
});
