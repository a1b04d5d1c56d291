// Shared by the samples (compiled into each with <Compile Include="../Common/..." />).
using System.Globalization;
using System.IO;

namespace NetGen.Samples;

/// <summary>The data set a sample trains on, loaded from the IDX folder an option names and checked against the network.</summary>
internal static class SampleData
{
    /// <summary>
    /// Loads <paramref name="folder"/> (MNIST's IDX layout) and checks that its images fit
    /// <paramref name="network"/> and its labels its outputs: a folder of other images is a bad input
    /// (<see cref="InvalidDataException"/>), not an error deep in training. Every message starts with
    /// <paramref name="option"/>; a missing folder or file and a malformed one keep their exception types.
    /// </summary>
    public static (Dataset Train, Dataset Test) Load(DirectoryInfo folder, string option, INetwork network)
    {
        Dataset train, test;
        try
        {
            (train, test) = Idx.LoadFolder(folder.FullName);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DirectoryNotFoundException($"{option}: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{option}: {e.Message}", e.FileName, e);
        }
        catch (IdxFormatException e)
        {
            throw new IdxFormatException(e.FilePath, $"{option}: {e.Message}", e);
        }

        if (train.SampleSize != network.InputSize)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{option}: the images in '{folder.FullName}' are [{string.Join(", ", train.SampleShape)}] ({train.SampleSize} pixels); the network takes {network.InputSize}."));
        }

        if (train.ClassCount > network.OutputSize)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{option}: the labels in '{folder.FullName}' have {train.ClassCount} classes; the network has {network.OutputSize} outputs."));
        }

        return (train, test);
    }
}
