import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Session } from "../engine/session.ts";
import type { ConversationStore, Lease } from "./conversation-store.ts";
import { MemoryConversationStore } from "./memory-conversation-store.ts";

export interface FileStoreOptions {
  /** A folder of its own (DATA_DIR/sessions): one file per conversation. */
  dir: string;
  sessionTtlMs: number;
  dedupeTtlMs: number;
  now?: () => number;
}

/** Message ids remembered per conversation. */
const KEEP_IDS = 50;

/** One conversation on disk: its session and the message ids it has handled. */
interface Stored {
  session: Session;
  expires: number;
  /** Message id → until when a redelivery is ignored. */
  seen: Record<string, number>;
}

/**
 * The default conversation store (no REDIS_URL): sessions survive a restart, so a pledge in
 * progress is still there after the server comes back. One process only: the memory store's
 * queue orders the turns of a conversation; each conversation is one small JSON file (named by a
 * hash of its key, so no user id shows in a file name), written atomically (temp file, rename)
 * with the message id of the turn, so a redelivery after a restart is still recognised.
 */
export class FileConversationStore implements ConversationStore {
  private readonly queue: MemoryConversationStore;
  private readonly now: () => number;
  /** Lease token → the message id its turn claimed, written with the session. */
  private readonly claims = new Map<string, string>();
  /**
   * What is on disk, as its JSON text, read once per conversation (this process is the only
   * writer). Text, not objects: a turn mutates its session, and one that fails must leave the
   * stored session as it was.
   */
  private readonly cache = new Map<string, string | null>();
  private lastSweep = 0;

  constructor(private readonly options: FileStoreOptions) {
    this.now = options.now ?? Date.now;
    this.queue = new MemoryConversationStore({ ...options, now: this.now });
    mkdirSync(options.dir, { recursive: true });
  }

  async acquire(conversationKey: string, messageKey: string): Promise<Lease | null> {
    const lease = await this.queue.acquire(conversationKey, messageKey);
    if (!lease) return null;
    const stored = this.read(conversationKey);
    if ((stored?.seen[messageKey] ?? 0) > this.now()) {
      await this.queue.release(lease, null);
      return null; // handled before a restart
    }
    this.claims.set(lease.token, messageKey);
    this.sweep();
    return { ...lease, session: stored && stored.expires > this.now() ? stored.session : null };
  }

  /** One process, like the memory store: a lease ends with the process. */
  readonly renewEveryMs = 0;

  async renew(lease: Lease): Promise<boolean> {
    return this.queue.renew(lease);
  }

  async release(
    lease: Lease,
    session: Session | null,
    options?: { failed?: boolean; ttlSeconds?: number },
  ): Promise<void> {
    const messageKey = this.claims.get(lease.token);
    this.claims.delete(lease.token);
    try {
      if (session && !options?.failed) {
        const now = this.now();
        // Redeliveries come soon after the first delivery: the latest ids are enough.
        const seen = Object.fromEntries(
          Object.entries(this.read(lease.key)?.seen ?? {})
            .filter(([, until]) => until > now)
            .slice(-(KEEP_IDS - 1)),
        );
        if (messageKey) seen[messageKey] = now + this.options.dedupeTtlMs;
        const ttlMs =
          options?.ttlSeconds !== undefined ? options.ttlSeconds * 1000 : this.options.sessionTtlMs;
        await this.write(lease.key, { session, expires: now + ttlMs, seen });
      }
    } finally {
      await this.queue.release(lease, null, options);
    }
  }

  async delete(conversationKey: string): Promise<void> {
    rmSync(this.path(conversationKey), { force: true });
    this.cache.delete(conversationKey);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  private path(conversationKey: string): string {
    const name = createHash("sha256").update(conversationKey).digest("hex").slice(0, 40);
    return join(this.options.dir, `${name}.json`);
  }

  private read(conversationKey: string): Stored | null {
    if (!this.cache.has(conversationKey)) this.cache.set(conversationKey, this.readFile(conversationKey));
    const text = this.cache.get(conversationKey);
    return text ? (JSON.parse(text) as Stored) : null;
  }

  private readFile(conversationKey: string): string | null {
    try {
      return readFileSync(this.path(conversationKey), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new Error(`file conversation store: cannot read ${conversationKey}: ${(err as Error).message}`);
    }
  }

  /** Asynchronous, so other conversations' turns go on while one waits for the disk. */
  private async write(conversationKey: string, stored: Stored): Promise<void> {
    const path = this.path(conversationKey);
    const tmp = `${path}.${process.pid}.tmp`;
    const text = JSON.stringify(stored);
    await writeFile(tmp, text);
    await rename(tmp, path);
    this.cache.set(conversationKey, text);
  }

  /** Now and then, removes the files of conversations idle past their expiry. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 3_600_000) return;
    this.lastSweep = now;
    this.cache.clear(); // idle conversations leave memory too
    for (const name of readdirSync(this.options.dir)) {
      if (!name.endsWith(".json")) continue;
      const path = join(this.options.dir, name);
      try {
        const stored = JSON.parse(readFileSync(path, "utf8")) as Stored;
        const lastSeen = Math.max(stored.expires, ...Object.values(stored.seen));
        if (lastSeen <= now) rmSync(path, { force: true });
      } catch {
        // A file being replaced or unreadable: left for the next sweep.
      }
    }
  }
}
