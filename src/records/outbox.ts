import type { Redis } from "ioredis";
import { JsonFileCollection } from "./json-file-collection.ts";

/**
 * Writes waiting for the records store: documents by key, set once (the first write wins, so a
 * redelivered pledge keeps its reference). Redis when configured, else a file under DATA_DIR.
 */
export interface Outbox<T> {
  /** Stores doc under key unless the key is present; returns what is stored. */
  putIfAbsent(key: string, doc: T): Promise<T>;
  get(key: string): Promise<T | null>;
  all(): Promise<Array<{ key: string; doc: T }>>;
  replace(key: string, doc: T): Promise<void>;
  remove(key: string): Promise<void>;
  size(): Promise<number>;
}

export class RedisOutbox<T> implements Outbox<T> {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async putIfAbsent(key: string, doc: T): Promise<T> {
    // HSETNX then HGET in one MULTI: one round trip, and the stored value whoever won.
    const result = await this.redis
      .multi()
      .hsetnx(this.key, key, JSON.stringify(doc))
      .hget(this.key, key)
      .exec();
    const stored = result?.[1]?.[1];
    if (typeof stored !== "string")
      throw new Error(`redis outbox ${this.key}: write of ${key} not confirmed`);
    return JSON.parse(stored) as T;
  }

  async get(key: string): Promise<T | null> {
    const json = await this.redis.hget(this.key, key);
    return json ? (JSON.parse(json) as T) : null;
  }

  async all(): Promise<Array<{ key: string; doc: T }>> {
    return Object.entries(await this.redis.hgetall(this.key)).map(([key, json]) => ({
      key,
      doc: JSON.parse(json) as T,
    }));
  }

  async replace(key: string, doc: T): Promise<void> {
    await this.redis.hset(this.key, key, JSON.stringify(doc));
  }

  async remove(key: string): Promise<void> {
    await this.redis.hdel(this.key, key);
  }

  async size(): Promise<number> {
    return this.redis.hlen(this.key);
  }
}

export class FileOutbox<T> implements Outbox<T> {
  private readonly docs: JsonFileCollection<{ key: string; doc: T }>;

  constructor(path: string | null) {
    this.docs = new JsonFileCollection(path);
  }

  async putIfAbsent(key: string, doc: T): Promise<T> {
    const existing = this.docs.find((d) => d.key === key);
    if (existing) return existing.doc;
    await this.docs.mutate((docs) => docs.push({ key, doc }));
    return doc;
  }

  async get(key: string): Promise<T | null> {
    return this.docs.find((d) => d.key === key)?.doc ?? null;
  }

  async all(): Promise<Array<{ key: string; doc: T }>> {
    return [...this.docs.all()];
  }

  async replace(key: string, doc: T): Promise<void> {
    await this.docs.mutate((docs) => {
      const i = docs.findIndex((d) => d.key === key);
      if (i >= 0) docs[i] = { key, doc };
      else docs.push({ key, doc });
    });
  }

  async remove(key: string): Promise<void> {
    await this.docs.mutate((docs) => {
      const i = docs.findIndex((d) => d.key === key);
      if (i >= 0) docs.splice(i, 1);
    });
  }

  async size(): Promise<number> {
    return this.docs.all().length;
  }
}
