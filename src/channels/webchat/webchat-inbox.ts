import type { ProactiveSender } from "../../broadcasts/proactive-sender.ts";
import type { Reply } from "../../engine/reply.ts";
import type { KeyValueStore } from "../../records/key-value-store.ts";

/** Messages kept per user until the page fetches them; older ones give way. */
const KEEP = 20;
/** A message no page fetched in this long is dropped with its inbox (the state must not pile up). */
const INBOX_TTL_MS = 30 * 86_400_000;
/** An emptied inbox leaves a marker that lapses soon. */
const EMPTY_TTL_MS = 60_000;

/**
 * Proactive messages (broadcasts, reminders) for web chat users: the browser cannot be called,
 * so they wait in the shared store (Redis or DATA_DIR) until the page polls for them. A short
 * lock per user keeps two processes from overwriting each other's message.
 */
export class WebchatInbox {
  constructor(private readonly kv: KeyValueStore) {}

  async push(userId: string, reply: Reply): Promise<void> {
    await this.locked(userId, async () => {
      const waiting = await this.read(userId);
      await this.kv.set(this.key(userId), JSON.stringify([...waiting, reply].slice(-KEEP)), INBOX_TTL_MS);
    });
  }

  /** Everything waiting for this user, removed from the inbox. */
  async take(userId: string): Promise<Reply[]> {
    const peek = await this.read(userId);
    if (peek.length === 0) return []; // the usual poll: one read, no lock
    return this.locked(userId, async () => {
      const waiting = await this.read(userId);
      await this.kv.set(this.key(userId), "[]", EMPTY_TTL_MS);
      return waiting;
    });
  }

  sender(): ProactiveSender {
    return {
      channel: "webchat",
      send: async (userId, reply) => {
        await this.push(userId, reply);
        return { kind: "sent" };
      },
    };
  }

  private key(userId: string): string {
    return `webchat:inbox:${userId}`;
  }

  private async read(userId: string): Promise<Reply[]> {
    const json = await this.kv.get(this.key(userId));
    return json ? (JSON.parse(json) as Reply[]) : [];
  }

  private async locked<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const lock = `webchat:inbox-lock:${userId}`;
    const token = String(Math.random());
    for (let i = 0; !(await this.kv.claim(lock, token, 2_000)); i++) {
      if (i > 100) throw new Error(`webchat inbox: ${userId} stayed locked`);
      await new Promise((r) => setTimeout(r, 10));
    }
    try {
      return await fn();
    } finally {
      await this.kv.release(lock, token);
    }
  }
}
