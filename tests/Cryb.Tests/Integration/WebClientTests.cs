using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// The web client (web/) in headless Chromium, two users on two gateways. web/e2e/chat.e2e.mjs: they
/// chat through the page, reload it, and one gateway is restarted under one of them (the script
/// asks for the restart on stdout, "CRYB-E2E STOP 1", "CRYB-E2E START 1", and waits for a line on
/// stdin after each, so the page sees a real gateway process stop and come back).
/// web/e2e/guilds.e2e.mjs: servers, from creating one and its invite link to joining through the link.
/// web/e2e/voice.e2e.mjs: voice channels, who is in them and the session's details (no media).
/// web/e2e/friends.e2e.mjs: friend requests, presence between friends, blocks and invitations.
/// web/e2e/notifications.e2e.mjs: the inbox, mention badges, a channel's settings, resuming after a
/// reload, and the service worker showing a push.
/// </summary>
public sealed class WebClientTests(WebClientClusterFixture fixture) : IClassFixture<WebClientClusterFixture>
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public Task Two_users_chat_in_the_browser_across_gateways_and_survive_a_reload_and_a_gateway_restart() =>
        RunScriptAsync("chat.e2e.mjs", "web e2e passed");

    [Fact]
    public Task A_server_created_in_the_browser_is_joined_through_its_invite_link_and_shows_channels_members_and_role_badges() =>
        RunScriptAsync("guilds.e2e.mjs", "web guilds e2e passed");

    [Fact]
    public Task Voice_in_the_browser_shows_who_is_in_a_channel_with_mute_icons_the_session_details_and_a_full_channel_refusal() =>
        RunScriptAsync("voice.e2e.mjs", "web voice e2e passed");

    [Fact]
    public Task Friends_in_the_browser_send_and_accept_a_request_see_each_others_presence_and_a_block_collapses_and_refuses() =>
        RunScriptAsync("friends.e2e.mjs", "web friends e2e passed");

    [Fact]
    public Task Notifications_in_the_browser_count_a_mention_on_the_bell_and_badges_open_it_from_the_inbox_honour_a_channel_set_to_nothing_resume_after_a_reload_and_register_push() =>
        RunScriptAsync("notifications.e2e.mjs", "web notifications e2e passed (push enabled and disabled)");

    /// <summary>Runs one script of web/e2e against the fixture's gateways, obeying its CRYB-E2E commands.</summary>
    private async Task RunScriptAsync(string script, string passed)
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
        start.ArgumentList.Add(Path.Combine("e2e", script));
        start.Environment["CRYB_GATEWAYS"] = string.Join(',', fixture.Cluster.Gateways.Select(gateway => gateway.Url));
        start.Environment["CHROMIUM_PATH"] = Chromium;
        // `CRYB_WEB_SCREENSHOT=$PWD/docs/web-client.png dotnet test ...` refreshes the docs' screenshots
        // (and CRYB_WEB_SERVERS_SCREENSHOT=$PWD/docs/web-client-servers.png the one of a server,
        // CRYB_WEB_VOICE_SCREENSHOT=$PWD/docs/web-client-voice.png the one of voice,
        // CRYB_WEB_NOTIFICATIONS_SCREENSHOT=$PWD/docs/web-client-notifications.png the inbox's).
        foreach (var setting in (string[])["CRYB_WEB_SCREENSHOT", "CRYB_WEB_SERVERS_SCREENSHOT", "CRYB_WEB_VOICE_SCREENSHOT", "CRYB_WEB_NOTIFICATIONS_SCREENSHOT"])
        {
            if (Environment.GetEnvironmentVariable(setting) is { Length: > 0 } screenshot)
            {
                start.Environment[setting] = screenshot;
            }
        }

        using var node = Process.Start(start)!;
        node.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(line.Data);
                }
            }
        };
        node.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            while (await node.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }

                if (line.StartsWith("CRYB-E2E ", StringComparison.Ordinal))
                {
                    await ObeyAsync(line["CRYB-E2E ".Length..]);
                    await node.StandardInput.WriteLineAsync("done");
                    await node.StandardInput.FlushAsync(timeout.Token);
                }
            }

            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"The browser test {script} did not finish within {ScriptTimeout}:\n{output}");
        }

        Assert.True(node.ExitCode == 0, $"The browser test {script} failed (exit code {node.ExitCode}):\n{output}\n{GatewayLogs()}");
        Assert.Contains(passed, output.ToString());
    }

    /// <summary>
    /// "STOP 1" stops gateway 1 (zero-based) with SIGTERM; "START 1" starts it and waits until it is
    /// ready; "IMPORT guildId 2100" adds that many members to the server through a backend service's
    /// bulk import (as a community migrating from elsewhere would), a server too large to build by joins.
    /// </summary>
    private async Task ObeyAsync(string command)
    {
        var parts = command.Split(' ');
        switch (parts[0])
        {
            case "STOP":
                await Gateway(parts[1]).StopAsync();
                break;
            case "START":
                var gateway = Gateway(parts[1]);
                gateway.Start();
                await gateway.WaitReadyAsync(TimeSpan.FromSeconds(120));
                break;
            case "IMPORT":
                await ImportMembersAsync(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"The browser test asked for an unknown command: {command}");
        }
    }

    private ClusterProcess Gateway(string index) => fixture.Cluster.Gateways[int.Parse(index, CultureInfo.InvariantCulture)];

    private async Task ImportMembersAsync(string guildId, int count)
    {
        await using var service = await fixture.Cluster.ConnectServiceAsync();
        var bot = Caller.Service(TestAccounts.WelcomeBot);
        var userIds = Enumerable.Range(0, count).Select(i => $"imported-{guildId[..8]}-{i:D5}").ToArray();
        foreach (var batch in userIds.Chunk(1000))
        {
            Assert.Equal(batch.Length, await service.Cluster.GetGrain<IGuildGrain>(guildId).ImportMembers(bot, batch));
        }
    }

    private string GatewayLogs() => string.Join('\n', fixture.Cluster.Gateways.Select(gateway => $"--- {gateway.Name}\n{gateway.LogTail(30)}"));
}
