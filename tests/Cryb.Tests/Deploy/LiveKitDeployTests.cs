using System.Text.RegularExpressions;
using Cryb.Gateway.Voice;
using YamlDotNet.Serialization;
using static Cryb.Tests.Deploy.DeployFiles;

namespace Cryb.Tests.Deploy;

/// <summary>
/// The LiveKit server beside the cluster, in compose and Kubernetes, agrees with the hosts: the key
/// pair it accepts and signs webhooks with is the silos' and gateways' <c>Voice__LiveKit__*</c>, its
/// webhooks go to the gateways' <see cref="LiveKitWebhookEndpoint.Path"/>, and the URL in the tokens
/// is the port it serves. Checked on the files; no LiveKit runs here (docs/operations.md says what was
/// verified against a live one: nothing).
/// </summary>
public sealed class LiveKitDeployTests
{
    [Fact]
    public void Compose_livekit_shares_the_hosts_key_pair_serves_the_url_they_name_and_posts_webhooks_through_the_load_balancer()
    {
        var services = ComposeServices().ToDictionary(service => service.Name, service => service.Definition);
        var livekit = services["livekit"];
        var config = ParseLiveKitConfig(Uninterpolated(Text(Map(livekit["environment"], "environment"), "LIVEKIT_CONFIG")!));

        var hosts = ComposeContainers().Where(container => container.Role is HostRole.Silo or HostRole.Gateway).ToArray();
        Assert.True(hosts.Length >= 4, "compose runs two silos and two gateways");
        foreach (var host in hosts)
        {
            var key = Uninterpolated(host.Environment["Voice__LiveKit__ApiKey"]);
            var secret = Uninterpolated(host.Environment["Voice__LiveKit__ApiSecret"]);
            Assert.Equal(new Dictionary<string, string> { [key] = secret }, config.Keys);
            Assert.Equal(key, config.WebhookKey);
            Assert.Equal($"ws://CRYB_LIVEKIT_HOST:{config.Port}", Uninterpolated(host.Environment["Voice__LiveKit__Url"]));
        }

        var haproxyPort = Regex.Match(File.ReadAllText(PathOf("compose/haproxy.cfg")), @"^\s*bind :(\d+)", RegexOptions.Multiline).Groups[1].Value;
        Assert.Equal([$"http://loadbalancer:{haproxyPort}{LiveKitWebhookEndpoint.Path}"], config.WebhookUrls);
        var published = ListOrEmpty(livekit, "ports").Select(port => port!.ToString()!).ToArray();
        Assert.Equal([$"{config.Port}:{config.Port}", $"{config.TcpPort}:{config.TcpPort}", $"{config.UdpPort}:{config.UdpPort}/udp"], published);
    }

    [Fact]
    public void Kubernetes_livekit_shares_the_hosts_key_pair_and_posts_webhooks_to_the_gateway_service()
    {
        var documents = KubernetesDocuments();
        var configMaps = documents.Where(document => KindOf(document.Document) == "ConfigMap")
            .ToDictionary(document => NameOf(document.Document), document => MapOrNull(document.Document, "data")!);
        var config = ParseLiveKitConfig(Text(configMaps["cryb-livekit-config"], "livekit.yaml")!);
        var livekit = Map(ListOrEmpty(PodSpecOf(documents.Single(document => NameOf(document.Document) == "cryb-livekit" && KindOf(document.Document) == "Deployment").Document)!, "containers").Single(), "container");
        var env = ListOrEmpty(livekit, "env").Select(variable => Map(variable, "env")).ToDictionary(variable => Text(variable, "name")!);

        // LIVEKIT_KEYS is "<key>: $(LIVEKIT_API_SECRET)", the secret from the same Secret key the hosts read.
        var secretKey = SecretKeyOf(env["LIVEKIT_API_SECRET"]);
        foreach (var name in new[] { "cryb-silo-config", "cryb-gateway-config" })
        {
            var apiKey = Text(configMaps[name], "Voice__LiveKit__ApiKey")!;
            Assert.Equal($"{apiKey}: $(LIVEKIT_API_SECRET)", Text(env["LIVEKIT_KEYS"], "value"));
            Assert.Equal(apiKey, config.WebhookKey);
            Assert.StartsWith("wss://", Text(configMaps[name], "Voice__LiveKit__Url"), StringComparison.Ordinal);
        }

        foreach (var (container, spec, _, _) in KubernetesContainers().Where(container => container.Container.Role is HostRole.Silo or HostRole.Gateway))
        {
            var hostEnv = ListOrEmpty(spec, "env").Select(variable => Map(variable, "env")).Single(variable => Text(variable, "name") == "Voice__LiveKit__ApiSecret");
            Assert.True(SecretKeyOf(hostEnv) == secretKey, $"{container.Where}: Voice__LiveKit__ApiSecret is not LiveKit's secret {secretKey}");
        }

        // The webhook URL names the gateways' Service on its port, in the kustomization's namespace.
        var gateway = documents.Single(document => KindOf(document.Document) == "Service" && NameOf(document.Document) == "cryb-gateway").Document;
        var port = Text(Map(ListOrEmpty(Map(gateway["spec"], "spec"), "ports").Single(), "port"), "port");
        var ns = Text(Map(LoadYaml(PathOf("k8s/kustomization.yaml")).Single(), "kustomization"), "namespace");
        var host = port == "80" ? $"cryb-gateway.{ns}.svc.cluster.local" : $"cryb-gateway.{ns}.svc.cluster.local:{port}";
        Assert.Equal([$"http://{host}{LiveKitWebhookEndpoint.Path}"], config.WebhookUrls);
    }

    private sealed record LiveKitConfig(string Port, string TcpPort, string UdpPort, Dictionary<string, string> Keys, string? WebhookKey, string[] WebhookUrls);

    private static LiveKitConfig ParseLiveKitConfig(string yaml)
    {
        var root = Map(new DeserializerBuilder().Build().Deserialize<object>(yaml), "livekit config");
        var rtc = MapOrNull(root, "rtc")!;
        var webhook = MapOrNull(root, "webhook")!;
        var keys = (MapOrNull(root, "keys") ?? []).ToDictionary(pair => pair.Key.ToString()!, pair => pair.Value?.ToString() ?? "");
        return new LiveKitConfig(Text(root, "port")!, Text(rtc, "tcp_port")!, Text(rtc, "udp_port")!, keys, Text(webhook, "api_key"),
            ListOrEmpty(webhook, "urls").Select(url => url!.ToString()!).ToArray());
    }

    /// <summary>Compose's <c>${NAME:-default}</c> and <c>${NAME:?message}</c> as just <c>NAME</c>: two places that interpolate the same variable agree.</summary>
    private static string Uninterpolated(string text) => Regex.Replace(text, @"\$\{([A-Z0-9_]+)[^}]*\}", "$1");

    private static string? SecretKeyOf(Dictionary<object, object?> variable) =>
        Text(MapOrNull(MapOrNull(variable, "valueFrom") ?? [], "secretKeyRef") ?? [], "key");
}
