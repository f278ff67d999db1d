namespace Cryb.Tests.Infrastructure;

/// <summary>User ids of their own per test, so tests sharing a cluster never see each other's state.</summary>
public static class TestUsers
{
    public static string New(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..8]}";
}
