using Cryb.Bench.Cli;

namespace Cryb.Bench.Scenarios;

/// <summary>Options several message scenarios take with the same meaning.</summary>
public static class SharedSpecs
{
    /// <summary><c>--warmup</c>, <c>--duration</c> and <c>--drain</c> of a measured window.</summary>
    public static IEnumerable<OptionSpec<T>> Window<T>(
        Func<T, TimeSpan> warmup, Func<T, TimeSpan, T> setWarmup,
        Func<T, TimeSpan> duration, Func<T, TimeSpan, T> setDuration,
        Func<T, TimeSpan> drain, Func<T, TimeSpan, T> setDrain, string per = "")
    {
        yield return new("warmup", $"seconds of load before measuring{per}, not recorded", o => warmup(o), (o, v) => setWarmup(o, v.Seconds()));
        yield return new("duration", $"seconds measured{per}", o => duration(o), (o, v) => setDuration(o, v.Seconds(min: 0.1)));
        yield return new("drain", $"at most this many seconds{per} to wait after the last send for its acknowledgement and deliveries", o => drain(o), (o, v) => setDrain(o, v.Seconds()));
    }

    public static OptionSpec<T> Padding<T>(Func<T, int> get, Func<T, int, T> set) =>
        new("padding", "extra characters of content per message (a bench stamp alone is about 40)", o => get(o), (o, v) => set(o, v.Int(min: 0)));
}
