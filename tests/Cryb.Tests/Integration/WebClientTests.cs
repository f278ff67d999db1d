using System.Diagnostics;
using System.Text;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// The web client (web/) in headless Chromium (web/e2e/chat.e2e.mjs): two users on two gateways
/// chat through the page, reload it, and one gateway is restarted under one of them. The script
/// asks for the restart on stdout ("CRYB-E2E STOP 1", "CRYB-E2E START 1") and waits for a line on
/// stdin after each, so the page sees a real gateway process stop and come back.
/// </summary>
public sealed class WebClientTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Two_users_chat_in_the_browser_across_gateways_and_survive_a_reload_and_a_gateway_restart()
    {
        var web = Path.Combine(BuildOutput.RepositoryRoot, "web");
        Assert.True(Directory.Exists(Path.Combine(web, "node_modules", "playwright-core")),
            "web/node_modules is missing: `./cryb test` runs `npm ci && npm run build` in web/ first.");
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: `./cryb test` installs the Debian package chromium.");
        Assert.True(File.Exists(Path.Combine(BuildOutput.Of("Gateway"), "wwwroot", "index.html")),
            "The gateway's build output has no wwwroot/index.html: build web/ (`npm run build`) before the solution.");

        var output = new StringBuilder();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = web,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine("e2e", "chat.e2e.mjs"));
        start.Environment["CRYB_GATEWAYS"] = string.Join(',', fixture.Cluster.Gateways.Select(gateway => gateway.Url));
        start.Environment["CHROMIUM_PATH"] = Chromium;
        // `CRYB_WEB_SCREENSHOT=$PWD/docs/web-client.png dotnet test ...` refreshes the README's screenshot.
        if (Environment.GetEnvironmentVariable("CRYB_WEB_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            start.Environment["CRYB_WEB_SCREENSHOT"] = screenshot;
        }

        using var script = Process.Start(start)!;
        script.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(line.Data);
                }
            }
        };
        script.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            while (await script.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }

                if (line.StartsWith("CRYB-E2E ", StringComparison.Ordinal))
                {
                    await ObeyAsync(line["CRYB-E2E ".Length..]);
                    await script.StandardInput.WriteLineAsync("done");
                    await script.StandardInput.FlushAsync(timeout.Token);
                }
            }

            await script.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            script.Kill(entireProcessTree: true);
            Assert.Fail($"The browser test did not finish within {ScriptTimeout}:\n{output}");
        }

        Assert.True(script.ExitCode == 0, $"The browser test failed (exit code {script.ExitCode}):\n{output}\n{GatewayLogs()}");
        Assert.Contains("web e2e passed", output.ToString());
    }

    /// <summary>"STOP 1" stops gateway 1 (zero-based) with SIGTERM; "START 1" starts it and waits until it is ready.</summary>
    private async Task ObeyAsync(string command)
    {
        var parts = command.Split(' ');
        var gateway = fixture.Cluster.Gateways[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)];
        switch (parts[0])
        {
            case "STOP":
                await gateway.StopAsync();
                break;
            case "START":
                gateway.Start();
                await gateway.WaitReadyAsync(TimeSpan.FromSeconds(120));
                break;
            default:
                throw new InvalidOperationException($"The browser test asked for an unknown command: {command}");
        }
    }

    private string GatewayLogs() => string.Join('\n', fixture.Cluster.Gateways.Select(gateway => $"--- {gateway.Name}\n{gateway.LogTail(30)}"));
}
