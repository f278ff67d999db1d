// The service worker of the Cryb web client (served at /sw.js, registered by src/pushClient.ts):
// it shows a Web Push as a system notification and, when one is clicked, focuses the client (or
// opens it) on the channel. The push's payload is the `Notification` as JSON (docs/notifications.md).
//
// A plain script outside the page's bundle: a classic service worker runs in every browser that
// has push, which module workers do not yet. So the few words below repeat notificationsView.ts's.
"use strict";

const verbs = {
  mention: "mentioned you",
  everyone: "mentioned @everyone",
  roleMention: "mentioned a role of yours",
  reply: "replied to you",
  directMessage: "sent you a direct message",
  reaction: "reacted to your message",
  friendRequest: "sent you a friend request",
  friendAccepted: "accepted your friend request",
  invitation: "invited you to a channel",
  message: "wrote",
};

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let notification = null;
  try {
    notification = event.data ? event.data.json() : null;
  } catch {
    // Not JSON: shown as a bare notification, since a push must show one (userVisibleOnly).
  }
  const title = notification ? `${notification.actorId} ${verbs[notification.kind] ?? "notified you"}` : "Cryb";
  // The start of the message; a reaction's emoji; an invitation's channel name.
  const body = (notification?.excerpt ?? "").replace(/<@&?([A-Za-z0-9_.-]{1,64})>/g, "@$1");
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      // One notification per channel on the device: a newer one replaces it (as the push's Topic does).
      tag: notification?.channelId ?? notification?.id ?? "cryb",
      renotify: true,
      timestamp: notification?.createdAt ? Date.parse(notification.createdAt) : Date.now(),
      data: notification,
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const notification = event.notification.data;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        open.postMessage({ type: "cryb.open-notification", notification });
        return;
      }
      // A new window opens the channel once signed in (main.ts reads ?channel=).
      const channel = notification?.channelId ? `?channel=${encodeURIComponent(notification.channelId)}` : "";
      await self.clients.openWindow(`/${channel}`);
    })(),
  );
});
