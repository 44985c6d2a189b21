import type { Redis } from "ioredis";
import { JsonFileCollection } from "./json-file-collection.ts";

/**
 * Small shared state (channel tokens, locks): Redis when configured so every process sees it,
 * else a JSON file under DATA_DIR (or memory).
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Sets the key; with ttlMs it is gone after that long (state per chat must not pile up). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets the key only if absent, expiring after ttlMs; true when set (a lock taken). */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only if it still holds value (a lock released by its owner). */
  release(key: string, value: string): Promise<void>;
  /** Sets the key, expiring after ttlMs (staff sessions). */
  setFor(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds one to a counter that expires ttlMs after its first count (login attempts); the new count. */
  increment(key: string, ttlMs: number): Promise<number>;
}

export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs) await this.redis.set(this.prefix + key, value, "PX", ttlMs);
    else await this.redis.set(this.prefix + key, value);
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, value, "PX", ttlMs, "NX")) === "OK";
  }

  async release(key: string, value: string): Promise<void> {
    await this.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      this.prefix + key,
      value,
    );
  }

  async setFor(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, "PX", ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    // INCR then PEXPIRE NX in one script: the window starts at the first count and never slides.
    return (await this.redis.eval(
      "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n",
      1,
      this.prefix + key,
      ttlMs,
    )) as number;
  }
}

export class FileKeyValueStore implements KeyValueStore {
  private readonly docs: JsonFileCollection<{ key: string; value: string; expires?: number }>;

  constructor(path: string | null) {
    this.docs = new JsonFileCollection(path);
  }

  private live(key: string) {
    const doc = this.docs.find((d) => d.key === key);
    return doc && (!doc.expires || doc.expires > Date.now()) ? doc : undefined;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    await this.docs.mutate((docs) => {
      const i = docs.findIndex((d) => d.key === key);
      if (i >= 0) docs.splice(i, 1);
      docs.push(ttlMs ? { key, value, expires: Date.now() + ttlMs } : { key, value });
      prune(docs);
    });
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    await this.docs.mutate((docs) => {
      const i = docs.findIndex((d) => d.key === key);
      if (i >= 0) docs.splice(i, 1);
      docs.push({ key, value, expires: Date.now() + ttlMs });
      prune(docs);
    });
    return true;
  }

  async release(key: string, value: string): Promise<void> {
    await this.docs.mutate((docs) => {
      const i = docs.findIndex((d) => d.key === key && d.value === value);
      if (i >= 0) docs.splice(i, 1);
    });
  }

  async setFor(key: string, value: string, ttlMs: number): Promise<void> {
    await this.put(key, value, Date.now() + ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.docs.mutate((docs) => {
      const i = docs.findIndex((d) => d.key === key);
      if (i >= 0) docs.splice(i, 1);
    });
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const live = this.live(key);
    const n = (live ? Number(live.value) : 0) + 1;
    await this.put(key, String(n), live?.expires ?? Date.now() + ttlMs);
    return n;
  }

  private async put(key: string, value: string, expires: number): Promise<void> {
    await this.docs.mutate((docs) => {
      // Expired entries go as any key is written, so sessions and counters do not pile up.
      const now = Date.now();
      for (let i = docs.length - 1; i >= 0; i--)
        if (docs[i]!.key === key || (docs[i]!.expires && docs[i]!.expires! <= now)) docs.splice(i, 1);
      docs.push({ key, value, expires });
    });
  }
}

/** Drops expired keys in place: written on every change, the file holds only live state. */
function prune(docs: Array<{ expires?: number }>): void {
  const now = Date.now();
  for (let i = docs.length - 1; i >= 0; i--)
    if (docs[i]!.expires !== undefined && docs[i]!.expires! <= now) docs.splice(i, 1);
}
