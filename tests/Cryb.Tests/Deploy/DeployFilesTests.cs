using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cryb.Hosting;
using Cryb.Hosting.Health;
using Cryb.Hosting.Telemetry;
using Cryb.Silo.Hosting;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using static Cryb.Tests.Deploy.DeployFiles;

namespace Cryb.Tests.Deploy;

/// <summary>
/// The container images, deploy/docker-compose.yml and deploy/k8s/ say only what the hosts read:
/// every variable is a setting of that host, every required one is there, ports, probe paths and
/// grace periods agree with the code. No engine or cluster is needed (none is on CI): the images are
/// checked by publishing as their Dockerfiles do, compose by `docker-compose config`.
/// </summary>
public sealed class DeployFilesTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(3);

    private static IEnumerable<Container> AllContainers() =>
        ComposeContainers().Concat(KubernetesContainers().Select(container => container.Container));

    [Fact]
    public void Every_yaml_and_json_file_under_deploy_parses()
    {
        var files = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(file => Path.GetExtension(file) is ".yml" or ".yaml" or ".json")
            .ToArray();

        var failures = files.Select(file =>
        {
            try
            {
                if (file.EndsWith(".json", StringComparison.Ordinal))
                {
                    using var _ = JsonDocument.Parse(File.ReadAllText(file));
                }
                else
                {
                    Assert.NotEmpty(LoadYaml(file));
                }

                return null;
            }
            catch (Exception exception)
            {
                return $"{Path.GetRelativePath(Root, file)}: {exception.Message}";
            }
        }).OfType<string>().ToArray();

        Assert.True(files.Length >= 15, $"expected the compose, Kubernetes, Prometheus and Grafana files, found {files.Length}");
        Assert.Empty(failures);
    }

    [Fact]
    public void Every_variable_in_compose_and_the_manifests_is_a_setting_its_host_reads()
    {
        var containers = AllContainers().ToArray();

        var unknown = containers.SelectMany(container => container.Environment.Keys
                .Where(variable => !HostSettings.Reads(container.Role, variable))
                .Select(variable => $"{container.Where}: {variable} is not read by the {container.Role.ToString().ToLowerInvariant()}"))
            .ToArray();

        Assert.Equal(
            new[] { HostRole.Silo, HostRole.Gateway, HostRole.Migrate },
            containers.Select(container => container.Role).Distinct().Order());
        Assert.True(unknown.Length == 0, string.Join("\n", unknown));
    }

    [Fact]
    public void Every_container_has_the_settings_its_host_requires_outside_development()
    {
        var missing = new List<string>();
        foreach (var container in AllContainers())
        {
            var env = container.Environment;
            var required = container.Role switch
            {
                HostRole.Silo => ["ConnectionStrings__Postgres", "ConnectionStrings__Redis", "Silo__AdvertisedAddress",
                    "Silo__MigrateOnStart", "Shutdown__Timeout", "Dashboard__Username", "Dashboard__Password"],
                HostRole.Gateway => ["ConnectionStrings__Redis", "Security__ServiceSecret", "Auth__SigningKey", "Shutdown__Timeout"],
                _ => new[] { "ConnectionStrings__Postgres" },
            };
            missing.AddRange(required.Where(name => !env.ContainsKey(name)).Select(name => $"{container.Where}: {name} is missing"));

            if (env.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") != "Production")
            {
                missing.Add($"{container.Where}: ASPNETCORE_ENVIRONMENT is {env.GetValueOrDefault("ASPNETCORE_ENVIRONMENT")}, not Production");
            }

            if (container.Role == HostRole.Silo)
            {
                if (env.GetValueOrDefault("Silo__MigrateOnStart") != "false")
                {
                    missing.Add($"{container.Where}: Silo__MigrateOnStart must be false: the migration step applies the schema");
                }

                if (!env.Keys.Any(name => Regex.IsMatch(name, "^Security__Services__[^_]+__Secret$")))
                {
                    missing.Add($"{container.Where}: no Security__Services__<name>__Secret: the silo refuses to start without a service account");
                }
            }

            if (env.TryGetValue("Auth__DevTokens__Enabled", out var devTokens) && devTokens != "false")
            {
                missing.Add($"{container.Where}: Auth__DevTokens__Enabled must stay off outside Development");
            }
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void A_silo_advertises_an_ip_address_as_given_and_resolves_a_host_name_as_compose_gives_it()
    {
        Assert.Equal(System.Net.IPAddress.Parse("10.1.2.3"), new SiloSettings { AdvertisedAddress = "10.1.2.3" }.ResolveAdvertisedAddress());
        Assert.Equal(System.Net.IPAddress.Loopback, new SiloSettings { AdvertisedAddress = "localhost" }.ResolveAdvertisedAddress());
        var error = Assert.Throws<InvalidOperationException>(() => new SiloSettings { AdvertisedAddress = "no-such-silo.invalid" }.ResolveAdvertisedAddress());
        Assert.Contains("'no-such-silo.invalid'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Silo__AdvertisedAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gateways_present_a_service_account_that_the_silos_let_act_as_users()
    {
        foreach (var group in new[] { ComposeContainers(), KubernetesContainers().Select(container => container.Container).ToArray() })
        {
            var silos = group.Where(container => container.Role == HostRole.Silo).ToArray();
            foreach (var gateway in group.Where(container => container.Role == HostRole.Gateway))
            {
                var account = gateway.Environment.GetValueOrDefault("Security__ServiceName", "gateway");
                foreach (var silo in silos)
                {
                    Assert.True(silo.Environment.ContainsKey($"Security__Services__{account}__Secret"), $"{silo.Where} has no account '{account}' that {gateway.Where} presents");
                    Assert.Equal("true", silo.Environment.GetValueOrDefault($"Security__Services__{account}__ActAsUsers"));
                }
            }
        }
    }

    [Fact]
    public void Kubernetes_probes_ports_and_scrape_annotations_match_the_hosts()
    {
        var problems = new List<string>();
        foreach (var (container, spec, pod, workload) in KubernetesContainers())
        {
            var image = DockerfileOf(container.Role);
            var ports = ListOrEmpty(spec, "ports").Select(port => Map(port, "port"))
                .ToDictionary(port => Text(port, "name") ?? "", port => int.Parse(Text(port, "containerPort")!, CultureInfo.InvariantCulture));
            if (container.Role == HostRole.Migrate)
            {
                continue;
            }

            Check(ports.GetValueOrDefault("http") == image.HttpPort, $"port http is {ports.GetValueOrDefault("http")}, the image listens on {image.HttpPort}");
            foreach (var (probe, path) in new[] { ("startupProbe", HealthEndpoints.StartupPath), ("livenessProbe", HealthEndpoints.LivePath), ("readinessProbe", HealthEndpoints.ReadyPath) })
            {
                var httpGet = MapOrNull(MapOrNull(spec, probe) ?? [], "httpGet");
                Check(httpGet is not null && Text(httpGet, "path") == path && Text(httpGet, "port") == "http", $"{probe} must GET {path} on port http");
            }

            if (container.Role == HostRole.Silo)
            {
                var defaults = new SiloSettings();
                Check(ports.GetValueOrDefault("silo") == int.Parse(container.Environment.GetValueOrDefault("Silo__SiloPort", defaults.SiloPort.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture), "port silo differs from Silo__SiloPort");
                Check(ports.GetValueOrDefault("orleans-gateway") == int.Parse(container.Environment.GetValueOrDefault("Silo__GatewayPort", defaults.GatewayPort.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture), "port orleans-gateway differs from Silo__GatewayPort");
                var advertised = ListOrEmpty(spec, "env").Select(variable => Map(variable, "env")).Single(variable => Text(variable, "name") == "Silo__AdvertisedAddress");
                Check(Text(MapOrNull(MapOrNull(advertised, "valueFrom") ?? [], "fieldRef") ?? [], "fieldPath") == "status.podIP", "Silo__AdvertisedAddress must come from status.podIP");
            }

            var document = KubernetesDocuments().Single(document => $"{KindOf(document.Document)} {NameOf(document.Document)}" == workload).Document;
            var annotations = MapOrNull(Map(Map(Map(document["spec"], "spec")["template"], "template")["metadata"], "metadata"), "annotations") ?? [];
            Check(Text(annotations, "prometheus.io/scrape") == "true", "prometheus.io/scrape is not \"true\"");
            Check(Text(annotations, "prometheus.io/port") == image.HttpPort.ToString(CultureInfo.InvariantCulture), "prometheus.io/port is not the HTTP port");
            Check(Text(annotations, "prometheus.io/path") == TelemetryExtensions.MetricsPath, $"prometheus.io/path is not {TelemetryExtensions.MetricsPath}");
            Check(MapOrNull(spec, "resources") is { } resources && MapOrNull(resources, "requests") is not null && MapOrNull(resources, "limits") is not null, "no resource requests and limits");
            Check(Text(MapOrNull(pod, "securityContext") ?? [], "runAsNonRoot") == "true", "pod does not run as non-root");

            void Check(bool condition, string problem)
            {
                if (!condition)
                {
                    problems.Add($"{container.Where}: {problem}");
                }
            }
        }

        // Services and the ingress point at ports the pods name.
        var documents = KubernetesDocuments();
        foreach (var (file, service) in documents.Where(document => KindOf(document.Document) == "Service"))
        {
            var selector = MapOrNull(Map(service["spec"], "spec"), "selector")!;
            var pods = documents.Where(document => PodSpecOf(document.Document) is not null && Labels(document.Document).Count > 0
                && selector.All(label => Labels(document.Document).GetValueOrDefault((string)label.Key) == label.Value?.ToString())).ToArray();
            if (pods.Length == 0)
            {
                problems.Add($"k8s/{file} Service {NameOf(service)} selects no pods");
            }

            foreach (var port in ListOrEmpty(Map(service["spec"], "spec"), "ports").Select(port => Map(port, "port")))
            {
                var target = Text(port, "targetPort");
                if (pods.Any(pod => !ListOrEmpty(Map(ListOrEmpty(PodSpecOf(pod.Document)!, "containers")[0], "container"), "ports")
                        .Any(containerPort => Text(Map(containerPort, "port"), "name") == target)))
                {
                    problems.Add($"k8s/{file} Service {NameOf(service)}: targetPort {target} is not a named port of its pods");
                }
            }
        }

        var services = documents.Where(document => KindOf(document.Document) == "Service").ToDictionary(document => NameOf(document.Document), document => document.Document);
        foreach (var (file, ingress) in documents.Where(document => KindOf(document.Document) == "Ingress"))
        {
            var annotations = MapOrNull(Map(ingress["metadata"], "metadata"), "annotations") ?? [];
            if (!int.TryParse(Text(annotations, "nginx.ingress.kubernetes.io/proxy-read-timeout"), CultureInfo.InvariantCulture, out var readTimeout) || readTimeout < 3600)
            {
                problems.Add($"k8s/{file}: proxy-read-timeout must be at least 3600 s for WebSockets");
            }

            if (Text(annotations, "nginx.ingress.kubernetes.io/affinity") != "cookie")
            {
                problems.Add($"k8s/{file}: negotiate and connect must reach the same gateway (affinity: cookie)");
            }

            foreach (var backend in Regex.Matches(JsonSerializer.Serialize(ingress), "\"service\":\\{\"name\":\"([^\"]+)\",\"port\":\\{\"name\":\"([^\"]+)\"").Cast<Match>())
            {
                if (!services.TryGetValue(backend.Groups[1].Value, out var service)
                    || !ListOrEmpty(Map(service["spec"], "spec"), "ports").Any(port => Text(Map(port, "port"), "name") == backend.Groups[2].Value))
                {
                    problems.Add($"k8s/{file}: backend {backend.Groups[1].Value}:{backend.Groups[2].Value} is not a Service port");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Compose_health_checks_load_balancer_and_scrape_targets_match_the_hosts()
    {
        foreach (var role in new[] { HostRole.Silo, HostRole.Gateway })
        {
            var image = DockerfileOf(role);
            Assert.Equal(new[] { "dotnet", image.Entrypoint[1], HealthProbe.Command, $"http://127.0.0.1:{image.HttpPort}{HealthEndpoints.LivePath}" }, image.HealthCheck);
        }

        var services = ComposeServices().ToDictionary(service => service.Name, service => service.Definition);
        var containers = ComposeContainers();
        var gateways = containers.Where(container => container.Role == HostRole.Gateway).Select(container => container.Where.Split(' ')[^1]).Order().ToArray();
        var silos = containers.Where(container => container.Role == HostRole.Silo).Select(container => container.Where.Split(' ')[^1]).Order().ToArray();
        Assert.True(silos.Length >= 2 && gateways.Length >= 2, "compose runs two silos and two gateways");

        // HAProxy: every gateway on its HTTP port, checked on readiness, WebSocket tunnels kept open, cookie affinity.
        var haproxy = File.ReadAllText(PathOf("compose/haproxy.cfg"));
        var gatewayPort = DockerfileOf(HostRole.Gateway).HttpPort;
        Assert.Equal(gateways.Select(name => $"{name}:{gatewayPort}"), Regex.Matches(haproxy, @"^\s*server \S+ (\S+)", RegexOptions.Multiline).Select(match => match.Groups[1].Value).Order());
        Assert.Contains($"option httpchk GET {HealthEndpoints.ReadyPath}", haproxy);
        Assert.Matches(@"timeout tunnel \d+h", haproxy);
        Assert.Matches(@"cookie \S+ insert", haproxy);

        // Prometheus scrapes every silo and gateway under the job names the alerts use.
        var prometheus = Map(LoadYaml(PathOf("compose/prometheus.yml")).Single(), "prometheus.yml");
        var jobs = ListOrEmpty(prometheus, "scrape_configs").Select(job => Map(job, "job")).ToDictionary(
            job => Text(job, "job_name")!,
            job => ListOrEmpty(job, "static_configs").SelectMany(config => ListOrEmpty(Map(config, "static_config"), "targets")).Select(target => target!.ToString()!).Order().ToArray());
        Assert.Equal(silos.Select(name => $"{name}:{DockerfileOf(HostRole.Silo).HttpPort}"), jobs["cryb-silo"]);
        Assert.Equal(gateways.Select(name => $"{name}:{gatewayPort}"), jobs["cryb-gateway"]);

        // Silos wait for the migration to succeed; silos advertise their own service name.
        foreach (var silo in silos)
        {
            var dependsOn = MapOrNull(services[silo], "depends_on")!;
            Assert.Equal("service_completed_successfully", Text(MapOrNull(dependsOn, "migrate")!, "condition"));
            Assert.Equal(silo, containers.Single(container => container.Where.EndsWith(" " + silo, StringComparison.Ordinal)).Environment["Silo__AdvertisedAddress"]);
        }

        var redis = services["redis"];
        Assert.Contains("--appendonly", Arguments(redis, "command"));
        Assert.Equal(new[] { "monitoring" }, ListOrEmpty(services["prometheus"], "profiles").Select(profile => profile!.ToString()!));
        Assert.Equal(new[] { "monitoring" }, ListOrEmpty(services["grafana"], "profiles").Select(profile => profile!.ToString()!));
    }

    [Fact]
    public void Grace_periods_exceed_the_shutdown_timeouts()
    {
        var problems = new List<string>();
        foreach (var (container, spec, pod, _) in KubernetesContainers().Where(container => container.Container.Role != HostRole.Migrate))
        {
            var timeout = ShutdownTimeout(container);
            var preStop = MapOrNull(MapOrNull(MapOrNull(spec, "lifecycle") ?? [], "preStop") ?? [], "sleep") is { } sleep
                ? TimeSpan.FromSeconds(int.Parse(Text(sleep, "seconds")!, CultureInfo.InvariantCulture))
                : TimeSpan.Zero;
            var grace = TimeSpan.FromSeconds(int.Parse(Text(pod, "terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture));
            if (grace < preStop + timeout + TimeSpan.FromSeconds(5))
            {
                problems.Add($"{container.Where}: terminationGracePeriodSeconds {grace.TotalSeconds} < preStop {preStop.TotalSeconds} s + Shutdown__Timeout {timeout.TotalSeconds} s + 5 s to exit");
            }
        }

        var services = ComposeServices().ToDictionary(service => service.Name, service => service.Definition);
        foreach (var container in ComposeContainers().Where(container => container.Role != HostRole.Migrate))
        {
            var service = services[container.Where.Split(' ')[^1]];
            var grace = Regex.Match(Text(service, "stop_grace_period") ?? "10s", @"^(\d+)s$") is { Success: true } match
                ? TimeSpan.FromSeconds(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
                : throw new InvalidDataException($"{container.Where}: stop_grace_period must be in seconds, e.g. 40s");
            if (grace < ShutdownTimeout(container) + TimeSpan.FromSeconds(5))
            {
                problems.Add($"{container.Where}: stop_grace_period {grace.TotalSeconds} s < Shutdown__Timeout + 5 s");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));

        static TimeSpan ShutdownTimeout(Container container) =>
            container.Environment.TryGetValue("Shutdown__Timeout", out var value)
                ? TimeSpan.Parse(value, CultureInfo.InvariantCulture)
                : new ShutdownSettings().Timeout;
    }

    [Fact]
    public async Task Kustomization_lists_every_manifest_and_its_references_resolve()
    {
        var kustomization = Map(LoadYaml(PathOf("k8s/kustomization.yaml")).Single(), "kustomization.yaml");
        var listed = ListOrEmpty(kustomization, "resources").Select(resource => resource!.ToString()!).Order().ToArray();
        var present = Directory.EnumerateFiles(PathOf("k8s"), "*.yaml").Select(file => Path.GetFileName(file)).Where(name => name != "kustomization.yaml").Order().ToArray();
        Assert.Equal(present, listed);

        var documents = KubernetesDocuments();
        var kinds = documents.Select(document => KindOf(document.Document)).ToHashSet();
        Assert.Superset(new HashSet<string> { "Namespace", "ConfigMap", "Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job" }, kinds);

        // Every secretKeyRef is a key of the generated Secret, whose template is secrets.env.example.
        var secretName = Text(Map(ListOrEmpty(kustomization, "secretGenerator").Single(), "secretGenerator"), "name");
        var secretKeys = ReadEnvFile("k8s/secrets.env.example").Select(pair => pair.Key).ToHashSet();
        var references = Regex.Matches(JsonSerializer.Serialize(documents.Select(document => document.Document)), "\"secretKeyRef\":\\{\"name\":\"([^\"]+)\",\"key\":\"([^\"]+)\"").Cast<Match>().ToArray();
        Assert.NotEmpty(references);
        Assert.All(references, reference =>
        {
            Assert.Equal(secretName, reference.Groups[1].Value);
            Assert.Contains(reference.Groups[2].Value, secretKeys);
        });

        // The autoscaler and the budgets point at workloads that exist.
        var workloads = documents.Where(document => PodSpecOf(document.Document) is not null).ToArray();
        foreach (var (_, hpa) in documents.Where(document => KindOf(document.Document) == "HorizontalPodAutoscaler"))
        {
            var target = Map(Map(hpa["spec"], "spec")["scaleTargetRef"], "scaleTargetRef");
            Assert.Contains(workloads, workload => KindOf(workload.Document) == Text(target, "kind") && NameOf(workload.Document) == Text(target, "name"));
        }

        foreach (var (_, budget) in documents.Where(document => KindOf(document.Document) == "PodDisruptionBudget"))
        {
            var selector = MapOrNull(MapOrNull(Map(budget["spec"], "spec"), "selector")!, "matchLabels")!;
            Assert.Single(workloads, workload => KindOf(workload.Document) == "Deployment"
                && selector.All(label => Labels(workload.Document).GetValueOrDefault((string)label.Key) == label.Value?.ToString()));
        }

        // kubectl builds the kustomization as `kubectl apply -k` would. `./cryb test` installs it
        // when missing: a check that skips itself silently would pass on any machine without it.
        var kubectl = FindOnPath("kubectl");
        Assert.True(kubectl is not null, "kubectl is not on PATH: `./cryb test` installs it (Debian's kubernetes-client), or install it yourself");
        var copy = Directory.CreateTempSubdirectory("cryb-k8s-");
        try
        {
            // An operator's real secrets.env stays where it is; the example stands in for it.
            foreach (var file in Directory.EnumerateFiles(PathOf("k8s")).Where(file => Path.GetFileName(file) != "secrets.env"))
            {
                File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            }

            File.Copy(PathOf("k8s/secrets.env.example"), Path.Combine(copy.FullName, "secrets.env"));
            var (exitCode, output) = await RunAsync(kubectl!, ["kustomize", copy.FullName]);
            Assert.True(exitCode == 0, output);
            Assert.Contains("kind: Job", output);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public void Env_examples_hold_no_secrets_and_name_every_variable_compose_uses()
    {
        var secretish = new Regex("PASSWORD|SECRET|SIGNING_KEY|password|secret|signing-key");
        foreach (var file in new[] { ".env.example", "k8s/secrets.env.example" })
        {
            foreach (var (key, value) in ReadEnvFile(file).Where(pair => secretish.IsMatch(pair.Key)))
            {
                Assert.True(value.Length == 0 || Regex.IsMatch(value, "Password=;"), $"{file}: {key} must be left empty for the operator to fill in, not '{value}'");
            }
        }

        var defined = ReadEnvFile(".env.example").Select(pair => pair.Key).ToHashSet();
        var used = Regex.Matches(File.ReadAllText(PathOf("docker-compose.yml")), @"\$\{([A-Z0-9_]+)").Select(match => match.Groups[1].Value).ToHashSet();
        Assert.Empty(used.Except(defined));
        Assert.Empty(defined.Except(used));

        var ignored = File.ReadAllLines(PathOf(".gitignore"));
        Assert.Contains(".env", ignored);
        Assert.Contains("k8s/secrets.env", ignored);
    }

    [Fact]
    public void Deploy_readme_documents_every_setting_the_hosts_read()
    {
        var readme = File.ReadAllText(PathOf("README.md"));

        var undocumented = HostSettings.AsDocumented()
            .Where(setting => !readme.Contains($"`{setting}`", StringComparison.Ordinal))
            .ToArray();

        Assert.True(undocumented.Length == 0, "deploy/README.md does not list: " + string.Join(", ", undocumented));
    }

    [Fact]
    public async Task The_images_entrypoints_exist_after_a_publish_like_the_dockerfiles_and_answer_the_health_probe()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var output = Directory.CreateTempSubdirectory("cryb-publish-");
        await using var probeTarget = await ProbeTarget.StartAsync();
        try
        {
            foreach (var role in new[] { HostRole.Silo, HostRole.Gateway })
            {
                var image = DockerfileOf(role);
                var app = Path.Combine(output.FullName, role.ToString());
                // As the Dockerfile does, from the build this test run already made.
                var (exitCode, log) = await RunAsync("dotnet",
                    ["publish", Path.Combine(BuildOutput.RepositoryRoot, image.PublishedProject), "-c", configuration, "-o", app, "--no-build", "-p:UseAppHost=false", "-nologo", "-v", "quiet"]);
                Assert.True(exitCode == 0, log);

                Assert.Equal("dotnet", image.Entrypoint[0]);
                Assert.True(File.Exists(Path.Combine(app, image.Entrypoint[1])), $"{image.Entrypoint[1]} is not in the published output of {image.PublishedProject}");
                Assert.True(File.Exists(Path.Combine(app, Path.ChangeExtension(image.Entrypoint[1], ".runtimeconfig.json"))));

                // The HEALTHCHECK command, against a live, a failing and a closed endpoint.
                var dll = Path.Combine(app, image.HealthCheck[1]);
                Assert.Equal(0, (await RunAsync("dotnet", [dll, HealthProbe.Command, $"{probeTarget.Url}{HealthEndpoints.LivePath}"])).ExitCode);
                Assert.Equal(1, (await RunAsync("dotnet", [dll, HealthProbe.Command, $"{probeTarget.Url}{HealthEndpoints.ReadyPath}"])).ExitCode);
                Assert.Equal(1, (await RunAsync("dotnet", [dll, HealthProbe.Command, $"http://127.0.0.1:{FreePort.Next()}{HealthEndpoints.LivePath}", "2"])).ExitCode);
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Docker_compose_accepts_the_file_with_every_profile()
    {
        var dockerCompose = FindOnPath("docker-compose")
            ?? throw new InvalidOperationException("docker-compose is not installed: ./cryb test installs it (Debian package docker-compose)");
        var envFile = Path.GetTempFileName();
        try
        {
            // The example with every empty value (the secrets) filled in, as an operator would.
            await File.WriteAllLinesAsync(envFile, ReadEnvFile(".env.example").Select(pair =>
                $"{pair.Key}={(pair.Value.Length > 0 ? pair.Value : Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray()))}"), TestContext.Current.CancellationToken);

            foreach (var profile in new[] { Array.Empty<string>(), ["--profile", "monitoring"] })
            {
                var (exitCode, output) = await RunAsync(dockerCompose, ["-f", PathOf("docker-compose.yml"), "--env-file", envFile, .. profile, "config"]);
                Assert.True(exitCode == 0, output);
                Assert.Contains("service_completed_successfully", output);
            }

            // With the example as it is, compose refuses to start and names what to fill in.
            var (refused, message) = await RunAsync(dockerCompose, ["-f", PathOf("docker-compose.yml"), "--env-file", PathOf(".env.example"), "config", "-q"]);
            Assert.NotEqual(0, refused);
            Assert.Contains("in deploy/.env", message);
        }
        finally
        {
            File.Delete(envFile);
        }
    }

    private static Dictionary<string, string> Labels(Dictionary<object, object?> workload)
    {
        var template = Map(Map(workload["spec"], "spec")["template"], "template");
        return (MapOrNull(Map(template["metadata"], "metadata"), "labels") ?? []).ToDictionary(label => (string)label.Key, label => label.Value?.ToString() ?? "");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = BuildOutput.RepositoryRoot };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not exit within {ProcessTimeout.TotalSeconds} s");
        }

        return (process.ExitCode, $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }

    /// <summary>An HTTP endpoint for the probe: live answers 200, ready answers 503.</summary>
    private sealed class ProbeTarget(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public static async Task<ProbeTarget> StartAsync()
        {
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            var app = builder.Build();
            app.MapGet(HealthEndpoints.LivePath, () => Results.Ok());
            app.MapGet(HealthEndpoints.ReadyPath, () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
            await app.StartAsync();
            return new ProbeTarget(app, url);
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
