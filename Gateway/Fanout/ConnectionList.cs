namespace Cryb.Gateway.Fanout;

/// <summary>
/// The connections of one channel, server or user, read by sends without a copy and changed under
/// the registry's lock. An addition goes into the array's spare room (doubling it when full), past
/// the end any reader took, so a snapshot never changes under its reader; a removal copies. Copying
/// on every change cost a connect herd dearly: joining 50 servers of 250 connections each copied
/// 2 KB per channel and per server, about 200 KB per connect, and the copies grew with the server.
/// </summary>
internal sealed class ConnectionList(string first)
{
    private string[] _items = [first];

    public int Count { get; private set; } = 1;

    /// <summary>The connections now: a view that later additions do not reach and removals do not change.</summary>
    public IReadOnlyList<string> Snapshot() => new ArraySegment<string>(_items, 0, Count);

    public void Add(string connectionId)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = connectionId;
    }

    /// <summary>Removes the connection into a new array (a reader may still walk the old one); false if it was not listed.</summary>
    public bool Remove(string connectionId)
    {
        var index = Array.IndexOf(_items, connectionId, 0, Count);
        if (index < 0)
        {
            return false;
        }

        var rest = new string[Math.Max(1, Count - 1)];
        Array.Copy(_items, 0, rest, 0, index);
        Array.Copy(_items, index + 1, rest, index, Count - index - 1);
        _items = rest;
        Count--;
        return true;
    }
}
