using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Rectify.Host;
using YamlDotNet.RepresentationModel;

namespace Rectify.Tests.Host;

/// <summary>
/// No cluster runs here, so deploy/kubernetes is rendered the way `kubectl apply -k` would (the few kustomize
/// features it uses: resources, namespace, images) and every object is read strictly into the Kubernetes models that
/// KubernetesClient generates from the Kubernetes OpenAPI schema: an unknown kind, an unknown field or a value of the
/// wrong type fails. Then what the schema cannot say: every service has its Deployment with both probes on the right
/// paths and port, requests and limits, a PodDisruptionBudget and a Service selecting it, every secret and config key
/// it reads exists, and every service runs the same image.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string Overlay = "deploy/kubernetes/overlays/county";
    private static readonly string[] KustomizeKeys = ["apiVersion", "kind", "resources", "namespace", "images"];
    private static readonly HashSet<string> ClusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"];

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Rectify.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Rectify.sln not found above the test binaries.");
    }

    /// <summary>The overlay rendered; <paramref name="read"/> gives a file's text by its path from the repository root.</summary>
    private sealed class Renderer(Func<string, string> read, Func<string, bool> isDirectory)
    {
        public List<IKubernetesObject<V1ObjectMeta>> Objects { get; } = [];
        public List<string> Problems { get; } = [];

        public void Render(string folder)
        {
            var path = $"{folder}/kustomization.yaml";
            var yaml = new YamlStream();
            yaml.Load(new StringReader(read(path)));
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            foreach (var key in root.Children.Keys.Select(k => k.ToString()).Where(k => !KustomizeKeys.Contains(k)))
                Problems.Add($"{path}: `{key}` is not supported by this renderer (only {string.Join(", ", KustomizeKeys)})");
            var start = Objects.Count;
            if (root.Children.TryGetValue("resources", out var resources))
                foreach (var resource in ((YamlSequenceNode)resources).Select(r => r.ToString()))
                {
                    var target = Normalize($"{folder}/{resource}");
                    if (isDirectory(target)) Render(target);
                    else Load(target);
                }
            var mine = Objects.Skip(start).ToList();
            if (root.Children.TryGetValue("namespace", out var ns)) SetNamespace(mine, ns.ToString());
            if (root.Children.TryGetValue("images", out var images))
                foreach (var image in ((YamlSequenceNode)images).Cast<YamlMappingNode>())
                    SetImage(mine, image["name"].ToString(), image["newName"].ToString(), image.Children.TryGetValue("newTag", out var tag) ? tag.ToString() : null);
        }

        private void Load(string path)
        {
            try
            {
                foreach (var item in KubernetesYaml.LoadAllFromString(read(path), typeMap: null, strict: true))
                    if (item is IKubernetesObject<V1ObjectMeta> obj) Objects.Add(obj);
                    else if (item is not null) Problems.Add($"{path}: {item.GetType().Name} has no metadata");
            }
            catch (Exception e)
            {
                Problems.Add($"{path}: not a valid Kubernetes object: {(e.InnerException ?? e).Message}");
            }
        }

        private static T? Value<T>(IDictionary<string, T>? map, string key) where T : class =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static string Normalize(string path)
        {
            var parts = new List<string>();
            foreach (var part in path.Split('/'))
                if (part == "..") parts.RemoveAt(parts.Count - 1);
                else if (part is not ("." or "")) parts.Add(part);
            return string.Join('/', parts);
        }

        private static void SetNamespace(List<IKubernetesObject<V1ObjectMeta>> objects, string ns)
        {
            foreach (var obj in objects.Where(o => !ClusterScoped.Contains(o.Kind)))
            {
                obj.Metadata.NamespaceProperty = ns;
                // As kustomize does: a RoleBinding's service accounts move with it.
                if (obj is V1RoleBinding binding)
                    foreach (var subject in binding.Subjects.Where(s => s.Kind == "ServiceAccount")) subject.NamespaceProperty = ns;
            }
        }

        private static void SetImage(List<IKubernetesObject<V1ObjectMeta>> objects, string name, string newName, string? newTag)
        {
            foreach (var container in objects.SelectMany(PodSpecs).SelectMany(p => p.Containers.Concat(p.InitContainers ?? [])))
                if (Regex.Replace(container.Image, "[:@].*$", "") == name) container.Image = newTag is null ? newName : $"{newName}:{newTag}";
        }
    }

    private static IEnumerable<V1PodSpec> PodSpecs(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Deployment d => [d.Spec.Template.Spec],
        V1StatefulSet s => [s.Spec.Template.Spec],
        V1Job j => [j.Spec.Template.Spec],
        _ => [],
    };

    private static Renderer Render(IReadOnlyDictionary<string, string>? replaced = null)
    {
        var root = RepositoryRoot();
        var renderer = new Renderer(
            path => replaced is not null && replaced.TryGetValue(path, out var text) ? text : File.ReadAllText(Path.Combine(root, path)),
            path => Directory.Exists(Path.Combine(root, path)));
        renderer.Render(Overlay);
        return renderer;
    }

    /// <summary>Everything the schema cannot check; each problem named.</summary>
    private static List<string> Check(Renderer rendered)
    {
        var problems = new List<string>(rendered.Problems);
        var objects = rendered.Objects;
        foreach (var duplicate in objects.GroupBy(o => $"{o.Kind}/{o.Metadata.Name}").Where(g => g.Count() > 1))
            problems.Add($"{duplicate.Key} is defined {duplicate.Count()} times");
        var ns = objects.OfType<V1Namespace>().Select(n => n.Metadata.Name).ToList();
        foreach (var obj in objects.Where(o => !ClusterScoped.Contains(o.Kind) && !ns.Contains(o.Metadata.NamespaceProperty)))
            problems.Add($"{obj.Kind}/{obj.Metadata.Name} is in namespace '{obj.Metadata.NamespaceProperty}', which the overlay does not create");

        var secrets = objects.OfType<V1Secret>().ToDictionary(
            s => s.Metadata.Name, s => (s.Data?.Keys ?? []).Concat(s.StringData?.Keys ?? []).ToHashSet());
        var configMaps = objects.OfType<V1ConfigMap>().ToDictionary(c => c.Metadata.Name, c => c.Data ?? new Dictionary<string, string>());
        var services = objects.OfType<V1Service>().ToList();
        var budgets = objects.OfType<V1PodDisruptionBudget>().ToList();
        static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
            selector is { Count: > 0 } && selector.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);

        // Every reference from a pod to a Secret or ConfigMap key resolves (a missing one keeps the pod from starting).
        foreach (var obj in objects)
            foreach (var pod in PodSpecs(obj))
            {
                var where = $"{obj.Kind}/{obj.Metadata.Name}";
                foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
                {
                    foreach (var name in (container.Env ?? []).GroupBy(e => e.Name).Where(g => g.Count() > 1))
                        problems.Add($"{where}: env {name.Key} is set {name.Count()} times");
                    foreach (var env in container.Env ?? [])
                    {
                        if (env.ValueFrom?.SecretKeyRef is { } s && !(secrets.TryGetValue(s.Name, out var keys) && keys.Contains(s.Key)))
                            problems.Add($"{where}: env {env.Name} reads key '{s.Key}' of Secret {s.Name}, which the rendering does not have");
                        if (env.ValueFrom?.ConfigMapKeyRef is { } c && !(configMaps.TryGetValue(c.Name, out var data) && data.ContainsKey(c.Key)))
                            problems.Add($"{where}: env {env.Name} reads key '{c.Key}' of ConfigMap {c.Name}, which the rendering does not have");
                    }
                    foreach (var from in container.EnvFrom ?? [])
                    {
                        if (from.ConfigMapRef is { } c && !configMaps.ContainsKey(c.Name)) problems.Add($"{where}: envFrom ConfigMap {c.Name} is not rendered");
                        if (from.SecretRef is { } s && !secrets.ContainsKey(s.Name)) problems.Add($"{where}: envFrom Secret {s.Name} is not rendered");
                    }
                    foreach (var mount in container.VolumeMounts ?? [])
                        if (!(pod.Volumes ?? []).Any(v => v.Name == mount.Name)
                            && !(obj is V1StatefulSet set && set.Spec.VolumeClaimTemplates.Any(t => t.Metadata.Name == mount.Name)))
                            problems.Add($"{where}: volume mount {mount.Name} names no volume");
                }
                foreach (var volume in pod.Volumes ?? [])
                {
                    if (volume.Secret is { } s && !secrets.ContainsKey(s.SecretName)) problems.Add($"{where}: volume {volume.Name} mounts Secret {s.SecretName}, which is not rendered");
                    if (volume.ConfigMap is { } c && !configMaps.ContainsKey(c.Name)) problems.Add($"{where}: volume {volume.Name} mounts ConfigMap {c.Name}, which is not rendered");
                }
            }

        // One Deployment per service the host can run, each complete.
        var common = Value(configMaps, "rectify-common") ?? new Dictionary<string, string>();
        var httpPort = common.TryGetValue("Rectify__HttpUrl", out var httpUrl) ? new Uri(httpUrl).Port : -1;
        var grpcPort = common.TryGetValue("Rectify__GrpcUrl", out var grpcUrl) ? new Uri(grpcUrl).Port : -1;
        var deployments = objects.OfType<V1Deployment>().ToList();
        foreach (var module in ServiceCatalog.All.Select(m => m.Name).Where(m => deployments.All(d => d.Metadata.Name != m)))
            problems.Add($"service {module} has no Deployment");
        var images = new HashSet<string>();
        foreach (var deployment in deployments)
        {
            var name = deployment.Metadata.Name;
            var where = $"Deployment/{name}";
            var labels = deployment.Spec.Template.Metadata.Labels;
            if (!Selects(deployment.Spec.Selector.MatchLabels, labels)) problems.Add($"{where}: its selector does not select its own pods");
            var pod = deployment.Spec.Template.Spec;
            if (pod.SecurityContext?.RunAsNonRoot != true) problems.Add($"{where}: pods may run as root");
            var container = pod.Containers.SingleOrDefault(c => c.Name == "rectify");
            if (container is null) { problems.Add($"{where}: no container named rectify"); continue; }
            images.Add(container.Image);
            int? Port(IntOrString? port) => port is null ? null
                : int.TryParse(port.Value, out var number) ? number
                : container.Ports?.FirstOrDefault(p => p.Name == port.Value)?.ContainerPort;
            if (container.Ports?.Any(p => p.ContainerPort == grpcPort) != true) problems.Add($"{where}: does not expose the gRPC port {grpcPort}");
            void Probe(string kind, V1Probe? probe, string path)
            {
                if (probe?.HttpGet is not { } get) problems.Add($"{where}: no {kind} probe over HTTP");
                else if (get.Path != path || Port(get.Port) != httpPort)
                    problems.Add($"{where}: {kind} probe asks {get.Path} on port {Port(get.Port)}, not {path} on {httpPort}");
            }
            Probe("liveness", container.LivenessProbe, "/healthz/live");
            Probe("readiness", container.ReadinessProbe, "/healthz/ready");
            foreach (var resource in new[] { "cpu", "memory" })
            {
                var request = Value(container.Resources?.Requests, resource);
                var limit = Value(container.Resources?.Limits, resource);
                if (request is null || limit is null) problems.Add($"{where}: no {resource} request and limit");
                else if (request.ToDecimal() > limit.ToDecimal()) problems.Add($"{where}: {resource} request {request} above its limit {limit}");
            }
            if (container.SecurityContext is not { AllowPrivilegeEscalation: false, ReadOnlyRootFilesystem: true } context
                || context.Capabilities?.Drop?.Contains("ALL") != true)
                problems.Add($"{where}: the container may escalate, write its root file system or keep capabilities");
            var env = (container.Env ?? []).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.First());
            if (env.GetValueOrDefault("Rectify__Services")?.Value != name) problems.Add($"{where}: Rectify__Services is not {name}");
            if (env.GetValueOrDefault($"ConnectionStrings__{name}")?.ValueFrom?.SecretKeyRef is null)
                problems.Add($"{where}: ConnectionStrings__{name} does not come from a Secret");
            if (name != "identity")
            {
                if (env.GetValueOrDefault("Rectify__Auth__ClientId")?.Value != name) problems.Add($"{where}: Rectify__Auth__ClientId is not {name}");
                if (env.GetValueOrDefault("Rectify__Bus__Username")?.Value != $"rectify-{name}") problems.Add($"{where}: its broker user is not rectify-{name}");
                // The identity service must know the secret this service presents: the same Secret key on both sides.
                var secret = env.GetValueOrDefault("Rectify__Auth__ClientSecret")?.ValueFrom?.SecretKeyRef;
                var known = deployments.FirstOrDefault(d => d.Metadata.Name == "identity")?.Spec.Template.Spec.Containers
                    .SelectMany(c => c.Env ?? []).FirstOrDefault(e => e.Name == $"Rectify__Identity__ServiceClients__{name}")?.ValueFrom?.SecretKeyRef;
                if (secret is null || known is null || secret.Name != known.Name || secret.Key != known.Key)
                    problems.Add($"{where}: its client secret is not the one the identity service holds for {name}");
            }
            if (!budgets.Any(b => Selects(b.Spec.Selector?.MatchLabels, labels))) problems.Add($"{where}: no PodDisruptionBudget selects its pods");
            if (!services.Any(s => s.Metadata.Name == name && Selects(s.Spec.Selector, labels)
                                   && s.Spec.Ports.Any(p => p.Port == grpcPort && Port(p.TargetPort) == grpcPort)))
                problems.Add($"{where}: no Service {name} sends port {grpcPort} to its pods");
        }
        if (images.Count != 1) problems.Add($"the services run {images.Count} images ({string.Join(", ", images)}), not one");
        if (images.Any(i => i == "rectify" || i.EndsWith(":latest", StringComparison.Ordinal))) problems.Add("the overlay does not pin the Rectify image");

        // Every service another one calls is a Service on its gRPC port.
        foreach (var (key, value) in common.Where(c => c.Key.StartsWith("Rectify__Endpoints__", StringComparison.Ordinal)))
        {
            var uri = new Uri(value);
            if (!services.Any(s => s.Metadata.Name == uri.Host && s.Spec.Ports.Any(p => p.Port == uri.Port)))
                problems.Add($"{key}={value}: no Service {uri.Host} on port {uri.Port}");
        }

        // The broker: three nodes, a quorum kept through disruptions, stable names.
        var rabbit = objects.OfType<V1StatefulSet>().FirstOrDefault(s => s.Metadata.Name == "rabbitmq");
        if (rabbit is null) problems.Add("no RabbitMQ StatefulSet");
        else
        {
            if (rabbit.Spec.Replicas != 3) problems.Add($"RabbitMQ runs {rabbit.Spec.Replicas} nodes, not 3");
            if (!budgets.Any(b => Selects(b.Spec.Selector?.MatchLabels, rabbit.Spec.Template.Metadata.Labels) && b.Spec.MaxUnavailable?.Value == "1"))
                problems.Add("no PodDisruptionBudget keeps two of the three RabbitMQ nodes");
            if (!services.Any(s => s.Metadata.Name == rabbit.Spec.ServiceName && s.Spec.ClusterIP == "None"))
                problems.Add($"the RabbitMQ nodes' headless Service {rabbit.Spec.ServiceName} is missing");
        }
        if (Value(common, "Rectify__Bus__RabbitMqUri") is { } bus && !services.Any(s => s.Metadata.Name == new Uri(bus).Host))
            problems.Add($"Rectify__Bus__RabbitMqUri={bus}: no such Service");
        return problems;
    }

    [Fact]
    public void The_county_overlay_renders_to_valid_objects_with_everything_each_service_needs()
    {
        var rendered = Render();
        Assert.Empty(Check(rendered));
        var kinds = rendered.Objects.GroupBy(o => o.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ServiceCatalog.All.Count, kinds["Deployment"]);
        Assert.Equal(ServiceCatalog.All.Count + 1, kinds["PodDisruptionBudget"]);
        Assert.Equal(1, kinds["StatefulSet"]);
        // What `kubectl kustomize deploy/kubernetes/overlays/county` printed when this was written (kustomize v5.5.0).
        Assert.Equal(41, rendered.Objects.Count);
    }

    [Fact]
    public void Every_file_of_the_base_is_rendered_and_the_users_job_runs_the_compose_script()
    {
        var root = RepositoryRoot();
        var listed = new YamlStream();
        listed.Load(new StringReader(File.ReadAllText(Path.Combine(root, "deploy/kubernetes/base/kustomization.yaml"))));
        var resources = ((YamlSequenceNode)((YamlMappingNode)listed.Documents[0].RootNode)["resources"]).Select(r => r.ToString()).Order();
        var files = Directory.EnumerateFiles(Path.Combine(root, "deploy/kubernetes/base"), "*.yaml")
            .Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order();
        Assert.Equal(files, resources);

        var script = Render().Objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "rabbitmq-users").Data["init-users.sh"];
        Assert.Equal(File.ReadAllText(Path.Combine(root, "deploy/rabbitmq/init-users.sh")), script);
    }

    /// <summary>The checks can fail: each broken copy of one manifest is caught, with its reason.</summary>
    [Theory]
    [InlineData("base/gateway.yaml", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSecond: 30", "Property 'terminationGracePeriodSecond' not found")]
    [InlineData("base/measures.yaml", @"\{ name: grpc, containerPort: 5400 \}", "{ name: grpc, containerPort: grpc }", "not a valid Kubernetes object")]
    [InlineData("base/notifications.yaml", "kind: PodDisruptionBudget", "kind: PodDisruptionBudgets", "not a valid Kubernetes object")]
    [InlineData("base/measures.yaml", "path: /healthz/ready", "path: /healthz", "readiness probe asks /healthz on port 5401")]
    [InlineData("base/reporting.yaml", "path: /healthz/live, port: http }\n            periodSeconds: 10", "path: /healthz/live, port: grpc }\n            periodSeconds: 10", "liveness probe asks /healthz/live on port 5400")]
    [InlineData("base/assessment.yaml", @"limits: \{[^}]*\}", "limits: { cpu: \"1\" }", "Deployment/assessment: no memory request and limit")]
    [InlineData("base/organizations.yaml", @"(kind: PodDisruptionBudget[\s\S]*app.kubernetes.io/name: )organizations", "${1}organisations", "Deployment/organizations: no PodDisruptionBudget")]
    [InlineData("base/reporting.yaml", "image: rectify", "image: docker.io/someone/rectify", "the services run 2 images")]
    [InlineData("overlays/county/secrets.yaml", "  reporting: \"\"\n", "", "reads key 'reporting' of Secret rectify-db")]
    [InlineData("base/identity.yaml", "key: gateway", "key: gateways", "Deployment/gateway: its client secret is not the one the identity service holds")]
    [InlineData("base/identity.yaml", "value: identity", "value: all", "Rectify__Services is not identity")]
    [InlineData("base/config.yaml", "http://reporting:5400", "http://reports:5400", "no Service reports on port 5400")]
    [InlineData("overlays/county/kustomization.yaml", "images:", "patches: []\nimages:", "`patches` is not supported")]
    public void A_broken_manifest_is_caught(string file, string pattern, string replacement, string expected)
    {
        var path = $"deploy/kubernetes/{file}";
        var original = File.ReadAllText(Path.Combine(RepositoryRoot(), path));
        var broken = new Regex(pattern).Replace(original, replacement, 1);
        Assert.NotEqual(original, broken);
        var problems = Check(Render(new Dictionary<string, string> { [Normalize(path)] = broken }));
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    private static T? Value<T>(IDictionary<string, T>? map, string key) where T : class =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static string Normalize(string path) => path.Replace('\\', '/');
}
