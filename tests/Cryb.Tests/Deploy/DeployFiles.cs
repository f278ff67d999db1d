using System.Text.RegularExpressions;
using Cryb.Tests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Cryb.Tests.Deploy;

/// <summary>One container of a deploy file: where it is, what runs in it, and the environment it gets.</summary>
public sealed record Container(string Where, HostRole Role, IReadOnlyDictionary<string, string> Environment);

/// <summary>Reads the files under <c>deploy/</c> as the tools that use them would.</summary>
public static partial class DeployFiles
{
    public static string Root { get; } = Path.Combine(BuildOutput.RepositoryRoot, "deploy");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>The documents of a YAML file as plain objects (maps, lists, strings), with anchors and <c>&lt;&lt;</c> merge keys resolved as compose does.</summary>
    public static IReadOnlyList<object?> LoadYaml(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<object?>();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize(parser));
        }

        return documents;
    }

    public static Dictionary<object, object?> Map(object? node, string what) =>
        node as Dictionary<object, object?> ?? throw new InvalidDataException($"{what} is not a mapping");

    public static Dictionary<object, object?>? MapOrNull(Dictionary<object, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? value as Dictionary<object, object?> : null;

    public static List<object?> ListOrEmpty(Dictionary<object, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is List<object?> list ? list : [];

    public static string? Text(Dictionary<object, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? value?.ToString() : null;

    /// <summary>A Dockerfile: its ENV (with line continuations), ENTRYPOINT, HEALTHCHECK command and published project.</summary>
    public sealed record Dockerfile(
        string Path, IReadOnlyDictionary<string, string> Environment, string[] Entrypoint, string[] HealthCheck, string PublishedProject, int HttpPort);

    public static Dockerfile ReadDockerfile(string relative)
    {
        var path = PathOf(relative);
        // Instructions span lines ending in a backslash.
        var instructions = JoinContinuations(File.ReadAllLines(path)).Where(line => line.Length > 0 && !line.StartsWith('#')).ToArray();
        var environment = new Dictionary<string, string>();
        foreach (var env in instructions.Where(line => line.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (Match pair in EnvPair().Matches(env[4..]))
            {
                environment[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }

        var entrypoint = ExecForm(instructions.Single(line => line.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..]);
        var healthCheckLine = instructions.Single(line => line.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        var healthCheck = ExecForm(healthCheckLine[(healthCheckLine.IndexOf(" CMD ", StringComparison.Ordinal) + 5)..]);
        var publish = PublishProject().Match(instructions.Single(line => line.Contains("dotnet publish", StringComparison.Ordinal)));
        var port = int.Parse(environment.GetValueOrDefault("ASPNETCORE_HTTP_PORTS", "8080"), System.Globalization.CultureInfo.InvariantCulture);
        return new Dockerfile(path, environment, entrypoint, healthCheck, publish.Groups[1].Value, port);
    }

    private static IEnumerable<string> JoinContinuations(string[] lines)
    {
        var current = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (current.Length > 0 && line.StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1].Trim() + " ";
                continue;
            }

            yield return current + line;
            current = "";
        }
    }

    private static string[] ExecForm(string json) => System.Text.Json.JsonSerializer.Deserialize<string[]>(json.Trim())!;

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex PublishProject();

    /// <summary>Which host a compose service or a Kubernetes container runs, from its Dockerfile or image and its arguments.</summary>
    public static HostRole? RoleOf(string imageOrDockerfile, IEnumerable<string> arguments) =>
        arguments.Contains("migrate") ? HostRole.Migrate
        : imageOrDockerfile.Contains("silo", StringComparison.OrdinalIgnoreCase) ? HostRole.Silo
        : imageOrDockerfile.Contains("gateway", StringComparison.OrdinalIgnoreCase) ? HostRole.Gateway
        : null;

    public static Dockerfile DockerfileOf(HostRole role) =>
        ReadDockerfile(role == HostRole.Gateway ? "docker/gateway.Dockerfile" : "docker/silo.Dockerfile");

    /// <summary>Every Cryb container of deploy/docker-compose.yml, with the environment it gets (the image's ENV first).</summary>
    public static IReadOnlyList<Container> ComposeContainers() =>
        ComposeServices()
            .Select(service => (service.Name, service.Definition, Role: RoleOf(ComposeImage(service.Definition), Arguments(service.Definition, "command"))))
            .Where(service => service.Role is not null)
            .Select(service =>
            {
                var environment = new Dictionary<string, string>(DockerfileOf(service.Role!.Value).Environment);
                foreach (var (key, value) in EnvironmentOf(service.Definition))
                {
                    environment[key] = value;
                }

                return new Container($"docker-compose.yml service {service.Name}", service.Role.Value, environment);
            })
            .ToArray();

    public static IEnumerable<(string Name, Dictionary<object, object?> Definition)> ComposeServices()
    {
        var compose = Map(LoadYaml(PathOf("docker-compose.yml")).Single(), "docker-compose.yml");
        return Map(compose["services"], "services").Select(service => ((string)service.Key, Map(service.Value, (string)service.Key)));
    }

    private static string ComposeImage(Dictionary<object, object?> service) =>
        MapOrNull(service, "build") is { } build ? Text(build, "dockerfile") ?? "" : Text(service, "image") ?? "";

    public static string[] Arguments(Dictionary<object, object?> definition, string key) =>
        definition.TryGetValue(key, out var value) switch
        {
            true when value is List<object?> list => list.Select(item => item?.ToString() ?? "").ToArray(),
            true when value is string text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            _ => [],
        };

    private static IEnumerable<(string Key, string Value)> EnvironmentOf(Dictionary<object, object?> service) =>
        service.TryGetValue("environment", out var environment) switch
        {
            true when environment is Dictionary<object, object?> map => map.Select(pair => ((string)pair.Key, pair.Value?.ToString() ?? "")),
            true when environment is List<object?> list => list.Select(item => item?.ToString() ?? "").Select(item =>
                item.Contains('=') ? (item[..item.IndexOf('=')], item[(item.IndexOf('=') + 1)..]) : (item, "")),
            _ => [],
        };

    /// <summary>The documents kustomization.yaml lists, in order.</summary>
    public static IReadOnlyList<(string File, Dictionary<object, object?> Document)> KubernetesDocuments()
    {
        var kustomization = Map(LoadYaml(PathOf("k8s/kustomization.yaml")).Single(), "kustomization.yaml");
        return ListOrEmpty(kustomization, "resources")
            .Select(resource => (string)resource!)
            .SelectMany(file => LoadYaml(PathOf(Path.Combine("k8s", file))).Where(document => document is not null).Select(document => (file, Map(document, file))))
            .ToArray();
    }

    public static string KindOf(Dictionary<object, object?> document) => Text(document, "kind") ?? "";

    public static string NameOf(Dictionary<object, object?> document) => Text(Map(document["metadata"], "metadata"), "name") ?? "";

    /// <summary>The pod template of a Deployment, StatefulSet or Job.</summary>
    public static Dictionary<object, object?>? PodSpecOf(Dictionary<object, object?> document) =>
        KindOf(document) is "Deployment" or "StatefulSet" or "Job"
            ? Map(Map(Map(document["spec"], "spec")["template"], "template")["spec"], "pod spec")
            : null;

    /// <summary>Every Cryb container of the Kubernetes manifests, with the environment it gets (image ENV, then envFrom ConfigMaps, then env).</summary>
    public static IReadOnlyList<(Container Container, Dictionary<object, object?> Spec, Dictionary<object, object?> Pod, string Workload)> KubernetesContainers()
    {
        var documents = KubernetesDocuments();
        var configMaps = documents.Where(document => KindOf(document.Document) == "ConfigMap")
            .ToDictionary(document => NameOf(document.Document), document => MapOrNull(document.Document, "data") ?? []);
        var result = new List<(Container, Dictionary<object, object?>, Dictionary<object, object?>, string)>();
        foreach (var (file, document) in documents)
        {
            if (PodSpecOf(document) is not { } pod)
            {
                continue;
            }

            foreach (var item in ListOrEmpty(pod, "containers"))
            {
                var container = Map(item, "container");
                var arguments = Arguments(container, "args").Concat(Arguments(container, "command"));
                if (RoleOf(Text(container, "image") ?? "", arguments) is not { } role)
                {
                    continue;
                }

                var environment = new Dictionary<string, string>(DockerfileOf(role).Environment);
                foreach (var source in ListOrEmpty(container, "envFrom").Select(source => Map(source, "envFrom")))
                {
                    var name = Text(MapOrNull(source, "configMapRef") ?? throw new InvalidDataException($"{file}: only configMapRef is expected in envFrom"), "name")!;
                    var data = configMaps.TryGetValue(name, out var found) ? found : throw new InvalidDataException($"{file}: envFrom names ConfigMap {name}, which no manifest defines");
                    foreach (var (key, value) in data)
                    {
                        environment[(string)key] = value?.ToString() ?? "";
                    }
                }

                foreach (var variable in ListOrEmpty(container, "env").Select(variable => Map(variable, "env")))
                {
                    environment[Text(variable, "name")!] = Text(variable, "value") ?? (variable.ContainsKey("valueFrom") ? "(valueFrom)" : "");
                }

                var workload = $"{KindOf(document)} {NameOf(document)}";
                result.Add((new Container($"k8s/{file} {workload} container {Text(container, "name")}", role, environment), container, pod, workload));
            }
        }

        return result;
    }

    /// <summary>The <c>KEY=value</c> lines of an env file, comments and blank lines left out.</summary>
    public static IReadOnlyList<(string Key, string Value)> ReadEnvFile(string relative) =>
        File.ReadAllLines(PathOf(relative))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => (line[..line.IndexOf('=')], line[(line.IndexOf('=') + 1)..]))
            .ToArray();
}
