// Web Push where the browser offers it (docs/notifications.md, "Web Push"): the service worker
// (public/sw.js, served at /sw.js) shows a push as a system notification; this registers it,
// subscribes with the cluster's VAPID key (GetPushPublicKey) and gives the subscription to the
// server (RegisterPushSubscription). A browser without service workers or PushManager, or a page
// that is not a secure context (http on an address other than loopback), gets no push control.
import type { ChatClient } from "./connection";
import type { Ready } from "./protocol";
import type { Store } from "./state";

/** Who enabled push on this browser (a browser has one subscription per site, whoever signs in). */
const ownerKey = "cryb.push.userId";

export class PushClient {
  private registration: Promise<ServiceWorkerRegistration> | null = null;
  /** The cluster's VAPID public key, asked once (when the inbox first opens); null: the cluster sends no pushes. */
  private publicKey: Promise<string | null> | null = null;

  constructor(
    private readonly store: Store,
    private readonly client: ChatClient,
  ) {
    store.push.supported = window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
    if (!store.push.supported) return;
    this.registration = navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready);
    this.registration.catch(() => {
      store.push.supported = false;
      store.changed();
    });
    // On each Ready, the subscription this user made here is given again: the server may have
    // dropped it (a 404 or 410 from the push service).
    client.on<Ready>("Ready", (ready) => void this.refresh(ready.user.id));
  }

  /**
   * Asks the cluster for its VAPID key once: a cluster without one (push off, or a gateway from before
   * push) gets no push control either.
   */
  probe(): void {
    if (!this.registration || this.publicKey || this.store.connection !== "connected") return;
    const asked = this.client.invoke<string | null>("GetPushPublicKey").then(
      (key) => key || null,
      (error) => {
        // A gateway from before push has no such method; anything else (a drop) is asked again later.
        if (/Method does not exist/i.test(String(error))) return null;
        this.publicKey = null;
        throw error;
      },
    );
    this.publicKey = asked;
    asked.then((key) => {
      if (key) return;
      this.store.push.supported = false;
      this.store.changed();
    }, () => undefined);
  }

  /** "Enable push notifications": asks permission, subscribes, registers. */
  async enable(): Promise<void> {
    if (!this.registration) return;
    await this.busy(async () => {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        this.store.showNotice("This browser blocks notifications for this site: allow them in its site settings first.");
        return;
      }
      this.probe();
      const key = await this.publicKey?.catch(() => null);
      if (!key) throw new Error("this server sends no push notifications.");
      const registration = await this.registration!;
      let subscription = await registration.pushManager.getSubscription();
      // A subscription made for another key (the cluster's VAPID pair changed) cannot be pushed to.
      if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(key) });
      await this.register(subscription);
      localStorage.setItem(ownerKey, this.store.me?.id ?? "");
      this.store.push.enabled = true;
    });
  }

  /** "Disable push notifications", and signing out: the server forgets the endpoint and the browser drops it. */
  async disable(): Promise<void> {
    if (!this.registration) return;
    await this.busy(async () => {
      const subscription = await (await this.registration!).pushManager.getSubscription();
      if (subscription) {
        await this.client.invoke("UnregisterPushSubscription", subscription.endpoint).catch(() => undefined);
        await subscription.unsubscribe();
      }
      localStorage.removeItem(ownerKey);
      this.store.push.enabled = false;
    });
  }

  /** Signing out: pushes this user enabled here stop (the next one to sign in here must not get them); another's are left alone. */
  async signOut(): Promise<void> {
    if (this.store.push.enabled) await this.disable();
  }

  private async refresh(userId: string): Promise<void> {
    try {
      const subscription = await (await this.registration!).pushManager.getSubscription();
      // Only for the user who enabled it here: another who signs in on this browser has not asked
      // for pushes (and the first would lose theirs, since the endpoint would move to the second).
      this.store.push.enabled = subscription !== null && Notification.permission === "granted" && localStorage.getItem(ownerKey) === userId;
      if (this.store.push.enabled) await this.register(subscription!);
    } catch {
      this.store.push.enabled = false;
    }
    this.store.changed();
  }

  private register(subscription: PushSubscription): Promise<void> {
    return this.client.invoke(
      "RegisterPushSubscription",
      subscription.endpoint,
      toBase64Url(subscription.getKey("p256dh")),
      toBase64Url(subscription.getKey("auth")),
    );
  }

  private async busy(work: () => Promise<void>): Promise<void> {
    this.store.push.busy = true;
    this.store.changed();
    try {
      await work();
    } catch (error) {
      this.store.showNotice(`Push notifications could not be set up: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.store.push.busy = false;
      this.store.changed();
    }
  }
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function toBase64Url(buffer: ArrayBuffer | null): string {
  if (!buffer) return "";
  return btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function sameKey(held: ArrayBuffer | null, key: string): boolean {
  return held !== null && toBase64Url(held) === key.replace(/=+$/, "");
}
