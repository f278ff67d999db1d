namespace Cryb.Chaos.Checker;

/// <summary>Where a scenario is: load before the fault, while it lasts, after it, and the drain once sends stop.</summary>
public enum Phase
{
    Before,
    During,
    After,
    Drain,
}
