using Cryb.Streaming;

namespace Cryb.Tests.Streaming;

/// <summary>A subscription's pushes go out in the owner's numbering, whatever order Orleans delivered them in.</summary>
public sealed class PushReorderBufferTests
{
    private static readonly Guid Subscription = Guid.NewGuid();

    private static StreamBatch Batch(int n) => new([n]);

    private static List<int> Add(PushReorderBuffer buffer, long number, Guid? subscription = null)
    {
        var ready = new List<StreamBatch>();
        buffer.Add(subscription ?? Subscription, number, Batch((int)number), ready);
        return ready.Select(batch => (int)batch.Items[0]).ToList();
    }

    private static PushReorderBuffer NewBuffer()
    {
        var buffer = new PushReorderBuffer();
        buffer.Reset(Subscription);
        return buffer;
    }

    [Fact]
    public void Pushes_in_order_go_out_at_once()
    {
        var buffer = NewBuffer();

        Assert.Equal([1], Add(buffer, 1));
        Assert.Equal([2], Add(buffer, 2));
        Assert.False(buffer.Waiting);
    }

    [Fact]
    public void A_push_that_overtook_the_first_waits_for_it_and_both_go_out_in_order()
    {
        var buffer = NewBuffer();

        Assert.Empty(Add(buffer, 2));
        Assert.Empty(Add(buffer, 3));
        Assert.True(buffer.Waiting);
        Assert.Equal([1, 2, 3], Add(buffer, 1));
        Assert.False(buffer.Waiting);
    }

    [Fact]
    public void Giving_up_on_a_lost_push_releases_the_ones_after_it_and_counts_the_loss()
    {
        var buffer = NewBuffer();
        Add(buffer, 1);
        Add(buffer, 4);
        Add(buffer, 5);
        Add(buffer, 7);

        var ready = new List<StreamBatch>();
        Assert.Equal(2, buffer.SkipMissing(ready));
        Assert.Equal([4, 5], ready.Select(batch => (int)batch.Items[0]));
        Assert.True(buffer.Waiting); // 7 still waits for 6
        ready.Clear();
        Assert.Equal(1, buffer.SkipMissing(ready));
        Assert.Equal([7], ready.Select(batch => (int)batch.Items[0]));
        Assert.False(buffer.Waiting);
    }

    [Fact]
    public void A_late_push_after_it_was_given_up_and_one_of_an_older_subscription_go_out_at_once()
    {
        var buffer = NewBuffer();
        Add(buffer, 2);
        buffer.SkipMissing([]);

        Assert.Equal([1], Add(buffer, 1));
        Assert.Equal([9], Add(buffer, 9, subscription: Guid.NewGuid()));
        Assert.Equal([3], Add(buffer, 3));
    }

    [Fact]
    public void A_new_subscription_counts_from_one_again()
    {
        var buffer = NewBuffer();
        Add(buffer, 1);
        Add(buffer, 2);
        var renewed = Guid.NewGuid();
        buffer.Reset(renewed);

        Assert.Empty(Add(buffer, 2, renewed));
        Assert.Equal([1, 2], Add(buffer, 1, renewed));
    }
}
