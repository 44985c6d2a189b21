import { randomUUID } from "node:crypto";
import type { Session } from "../engine/session.ts";
import type { ConversationStore, Lease } from "./conversation-store.ts";

export interface MemoryStoreOptions {
  /** Idle sessions are dropped after this long (ms). */
  sessionTtlMs: number;
  /** A message id is remembered this long (ms) to ignore redeliveries. */
  dedupeTtlMs: number;
  now?: () => number;
}

/**
 * The embedded conversation store for one process: sessions in a Map, a FIFO promise chain per
 * conversation as the lock (so turns apply in arrival order), message ids with an expiry.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly sessions = new Map<string, { json: string; expires: number }>();
  private readonly seen = new Map<string, number>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly holders = new Map<string, () => void>();
  private readonly now: () => number;

  constructor(private readonly options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async acquire(conversationKey: string, messageKey: string): Promise<Lease | null> {
    const now = this.now();
    const seenUntil = this.seen.get(messageKey);
    if (seenUntil !== undefined && seenUntil > now) return null;
    this.seen.set(messageKey, now + this.options.dedupeTtlMs);
    this.sweep(now);

    // Join the conversation's queue; the previous turn's release lets us through.
    const previous = this.tails.get(conversationKey) ?? Promise.resolve();
    let releaseLock!: () => void;
    const mine = new Promise<void>((resolve) => (releaseLock = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(conversationKey, tail);
    await previous;
    const token = randomUUID();
    this.holders.set(token, () => {
      releaseLock();
      if (this.tails.get(conversationKey) === tail) this.tails.delete(conversationKey);
    });

    const stored = this.sessions.get(conversationKey);
    // Sessions are stored as JSON so a turn never shares objects with another.
    const session = stored && stored.expires > this.now() ? (JSON.parse(stored.json) as Session) : null;
    return { key: conversationKey, token, messageKey, session };
  }

  /** One process: a turn's lease ends with the process, which loses this store too. */
  readonly renewEveryMs = 0;

  async renew(lease: Lease): Promise<boolean> {
    return this.holders.has(lease.token);
  }

  async release(
    lease: Lease,
    session: Session | null,
    options?: { failed?: boolean; ttlSeconds?: number },
  ): Promise<void> {
    if (session)
      this.sessions.set(lease.key, {
        json: JSON.stringify(session),
        expires:
          this.now() +
          (options?.ttlSeconds !== undefined ? options.ttlSeconds * 1000 : this.options.sessionTtlMs),
      });
    if (options?.failed) this.seen.delete(lease.messageKey);
    const unlock = this.holders.get(lease.token);
    this.holders.delete(lease.token);
    unlock?.();
  }

  async delete(conversationKey: string): Promise<void> {
    this.sessions.delete(conversationKey);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  private lastSweep = 0;
  /** Drops expired message ids and sessions now and then so memory stays bounded. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
    for (const [k, s] of this.sessions) if (s.expires <= now) this.sessions.delete(k);
  }
}
