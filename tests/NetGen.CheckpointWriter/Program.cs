using System;
using NetGen;
using NetGen.CheckpointWriter;

// Usage: NetGen.CheckpointWriter <path>
// Writes <path> over and over until killed, alternating weight sets 1 and 2 and the two writers: even rounds
// through Trainer.SaveCheckpoint (epoch = the set), odd rounds through net.Save. Prints "ready" after the first write (the file exists from then on).
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: NetGen.CheckpointWriter <checkpoint path>");
    return 2;
}

var network = new WriterNetwork(seed: 1);
using var trainer = new Trainer(network, new Sgd(0.1f), threadCount: 1);
for (long round = 0; ; round++)
{
    int set = 1 + (int)(round % 2);
    network.Mark(set);
    if ((round / 2) % 2 == 0)
    {
        trainer.SaveCheckpoint(args[0], epoch: set);
    }
    else
    {
        network.Save(args[0]);
    }

    if (round == 0)
    {
        Console.WriteLine("ready");
    }
}
