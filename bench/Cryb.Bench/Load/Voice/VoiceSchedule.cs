using System.Collections.Concurrent;
using Cryb.Bench.Scenarios;

namespace Cryb.Bench.Load.Voice;

/// <summary>
/// Chooses each call of the <c>voice</c> load: the actor who has waited longest since its last
/// answer, and what it does from where it is: outside voice it joins a channel (self mute at
/// random); inside, it leaves (<see cref="VoiceOptions.LeaveShare"/>), flips its self mute
/// (<see cref="VoiceOptions.UpdateShare"/>) or moves to another channel. Every call thus changes
/// the actor's state and publishes one event. An actor gets no new call until its last is answered.
/// Seeded, so two runs make the same choices given the same answers.
/// </summary>
public sealed class VoiceSchedule
{
    private readonly VoiceOptions _options;
    private readonly IReadOnlyList<string> _channels;
    private readonly int[] _channelOf;
    private readonly bool[] _selfMute;
    private readonly ConcurrentQueue<int> _idle;
    private readonly Random _random;

    public VoiceSchedule(VoiceOptions options, IReadOnlyList<string> channels, int actors, int seed = 20)
    {
        _options = options;
        _channels = channels;
        _channelOf = Enumerable.Repeat(-1, actors).ToArray();
        _selfMute = new bool[actors];
        _idle = new ConcurrentQueue<int>(Enumerable.Range(0, actors));
        _random = new Random(seed);
    }

    /// <summary>The next call, due at <paramref name="intended"/>; null when every actor still waits on an answer. One caller at a time.</summary>
    public VoiceOp? Next(long intended, bool measured)
    {
        if (!_idle.TryDequeue(out var actor))
        {
            return null;
        }

        var channel = _channelOf[actor];
        if (channel < 0)
        {
            var mute = _random.NextDouble() < 0.5;
            return new VoiceOp(actor, VoiceOpKind.Join, _channels[_random.Next(_channels.Count)], mute, intended, measured);
        }

        var draw = _random.NextDouble();
        if (draw < _options.LeaveShare)
        {
            return new VoiceOp(actor, VoiceOpKind.Leave, null, _selfMute[actor], intended, measured);
        }

        if (draw < _options.LeaveShare + _options.UpdateShare)
        {
            return new VoiceOp(actor, VoiceOpKind.Update, _channels[channel], !_selfMute[actor], intended, measured);
        }

        // Another channel than the one it is in.
        var other = (channel + 1 + _random.Next(_channels.Count - 1)) % _channels.Count;
        return new VoiceOp(actor, VoiceOpKind.Move, _channels[other], _selfMute[actor], intended, measured);
    }

    /// <summary>
    /// The actor's call was answered: its state follows a success (a failed call leaves it as it
    /// was, except a leave refused with <c>not_in_voice</c>: it is outside), and it may call again.
    /// </summary>
    public void Done(VoiceOp op, bool succeeded, bool notInVoice = false)
    {
        if (succeeded)
        {
            _channelOf[op.Actor] = op.ChannelId is null ? -1 : IndexOf(op.ChannelId);
            _selfMute[op.Actor] = op.SelfMute;
        }
        else if (notInVoice)
        {
            _channelOf[op.Actor] = -1;
        }

        _idle.Enqueue(op.Actor);
    }

    /// <summary>Actors not waiting on an answer.</summary>
    public int Idle => _idle.Count;

    /// <summary>Actors in a voice channel now.</summary>
    public int InVoice => _channelOf.Count(channel => channel >= 0);

    private int IndexOf(string channelId)
    {
        for (var i = 0; i < _channels.Count; i++)
        {
            if (_channels[i] == channelId)
            {
                return i;
            }
        }

        throw new ArgumentException($"{channelId} is none of the schedule's channels", nameof(channelId));
    }
}
