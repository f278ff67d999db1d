namespace Cryb.Identity;

/// <summary>
/// A grain method for the gateways alone: the silos refuse it unless the calling service account
/// may act for users (<c>ActAsUsers</c>, which only gateways have), whatever the account's grants.
/// Such a method sees past membership (a gateway delivers every channel's events anyway), so a
/// backend service granted <c>IChannelGrain.*</c> must not reach it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GatewayOnlyAttribute : Attribute;
