using Orleans.Concurrency;
using Cryb.Identity;

namespace Cryb.Typing;

/// <summary>
/// Who is typing in a channel, keyed by channel id. Members only; each entry lasts 10 s unless
/// renewed; only changes to the set of typers go out, as <c>TypingUpdated</c> on the channel's stream.
/// </summary>
[Alias("cryb.ITypingGrain")]
public interface ITypingGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task Start(Caller caller);

    [Alias("Stop")]
    Task Stop(Caller caller);

    /// <summary>The member sent a message: they are not typing any more. Called by the channel grain.</summary>
    [Alias("StopOnSend"), OneWay]
    Task StopOnSend(string memberId);
}
