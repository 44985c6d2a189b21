import mongoose, { type Connection } from "mongoose";
import type { Logger } from "pino";
import { StoreUnavailableError } from "../ports.ts";
import { mongoModels, type MongoModels } from "./mongo-models.ts";

export interface MongoOptions {
  uri: string;
  poolSize: number;
  /** How long an operation may wait for a server before failing (and the pledge going to the outbox). */
  timeoutMs: number;
}

const NETWORK_ERRORS = new Set([
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoServerSelectionError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoPoolClearedError",
]);

/**
 * One mongoose connection that keeps trying until MongoDB answers (the driver reconnects by
 * itself after that), with command buffering off so an operation never waits for a connection
 * that is not there: it fails at once with StoreUnavailableError.
 */
export class MongoConnection {
  readonly conn: Connection;
  readonly models: MongoModels;
  private closed = false;
  private readonly opened: Promise<void>;

  constructor(
    private readonly options: MongoOptions,
    private readonly log: Logger,
  ) {
    this.conn = mongoose.createConnection();
    this.conn.set("bufferCommands", false);
    this.conn.set("autoIndex", false);
    this.models = mongoModels(this.conn);
    this.conn.on("disconnected", () => this.log.warn("mongodb: disconnected"));
    this.conn.on("reconnected", () => this.log.info("mongodb: reconnected"));
    this.opened = this.open();
  }

  get up(): boolean {
    return this.conn.readyState === 1;
  }

  /** Resolves once connected and indexes exist (tests and the drainer wait on it). */
  whenOpen(): Promise<void> {
    return this.opened;
  }

  private async open(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.conn.openUri(this.options.uri, {
          maxPoolSize: this.options.poolSize,
          serverSelectionTimeoutMS: this.options.timeoutMs,
          connectTimeoutMS: this.options.timeoutMs,
          heartbeatFrequencyMS: 1_000,
          bufferCommands: false,
          autoIndex: false,
        });
        await Promise.all(Object.values(this.models).map((m) => m.createIndexes()));
        this.log.info({ attempt }, "mongodb: connected");
        return;
      } catch (err) {
        if (this.closed) return;
        this.log.warn(
          { attempt, err: { name: (err as Error).name, message: (err as Error).message } },
          "mongodb: cannot connect yet; retrying",
        );
        await new Promise((r) => setTimeout(r, Math.min(1_000 * attempt, 5_000)));
      }
    }
  }

  /** Runs an operation, turning "cannot reach MongoDB" into StoreUnavailableError. */
  async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    if (!this.up) throw new StoreUnavailableError(`mongodb ${what}`);
    try {
      return await op();
    } catch (err) {
      if (NETWORK_ERRORS.has((err as Error).name) || !this.up)
        throw new StoreUnavailableError(`mongodb ${what}`, err);
      throw err;
    }
  }

  async ping(): Promise<boolean> {
    if (!this.up) return false;
    try {
      await this.conn.db!.admin().ping();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.conn.close(true).catch(() => {});
  }
}

/** True for a duplicate-key error on the given field. */
export function isDuplicateKey(err: unknown, field?: string): boolean {
  const e = err as { code?: number; keyPattern?: Record<string, unknown>; message?: string };
  if (e?.code !== 11000) return false;
  if (!field) return true;
  return e.keyPattern ? field in e.keyPattern : (e.message ?? "").includes(field);
}
