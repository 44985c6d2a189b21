import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "./config/config.ts";
import { errorInfo } from "./log/error-info.ts";
import { durableRecords } from "./records/durable-records.ts";
import { embeddedRecords } from "./records/embedded-records.ts";
import { MongoConnection } from "./records/mongo/mongo-connection.ts";
import { mongoRecords } from "./records/mongo/mongo-records.ts";
import { FileKeyValueStore, RedisKeyValueStore, type KeyValueStore } from "./records/key-value-store.ts";
import { FileOutbox, RedisOutbox } from "./records/outbox.ts";
import type { Records } from "./records/ports.ts";
import type { ConversationStore } from "./sessions/conversation-store.ts";
import { FileConversationStore } from "./sessions/file-conversation-store.ts";
import { RedisConversationStore } from "./sessions/redis-conversation-store.ts";

export interface StoreState {
  kind: string;
  up: boolean;
}

export interface Stores {
  sessions: ConversationStore;
  records: Records;
  /** Small shared state for channels (tokens, locks). */
  keyValue: KeyValueStore;
  /** The shared Redis connection, when REDIS_URL is set (broadcast ledger and rate limits). */
  redis: Redis | null;
  /**
   * Each store's state and the records waiting in the outbox, for /readyz: -1 when the outbox
   * does not answer, null when records are written directly (embedded, no outbox).
   */
  readiness(): Promise<{ sessions: StoreState; records: StoreState; outbox: number | null }>;
  close(): Promise<void>;
}

/**
 * Picks the stores from config: Redis sessions when REDIS_URL is set (else files under
 * DATA_DIR/sessions, so a restart loses no conversation), MongoDB
 * records behind an outbox when MONGODB_URI is set (else the embedded JSON files). Nothing here
 * waits for a server: the bot starts, answers with a friendly error while a store is away, and
 * recovers when it is back.
 */
export function createStores(config: Config, log: Logger, referencePrefix: string, now: () => Date): Stores {
  const dataDir = resolve(config.DATA_DIR);
  let redis: Redis | null = null;
  if (config.REDIS_URL) {
    redis = new Redis(config.REDIS_URL, {
      // Commands wait for a (re)connection at most REDIS_TIMEOUT_MS, then fail: a short blip is
      // absorbed, an outage gives the user a friendly error instead of a hung turn.
      commandTimeout: config.REDIS_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    let lastLogged = 0;
    redis.on("error", (err: Error) => {
      if (Date.now() - lastLogged > 10_000)
        log.warn({ err: errorInfo(err) }, "redis: connection error (retrying)");
      lastLogged = Date.now();
    });
  }

  const sessions: ConversationStore = redis
    ? new RedisConversationStore(redis, {
        keyPrefix: config.REDIS_KEY_PREFIX,
        sessionTtlSeconds: Math.round(config.SESSION_TTL_DAYS * 86_400),
        dedupeTtlSeconds: Math.round(config.DEDUPE_TTL_HOURS * 3_600),
        lockTtlMs: config.LOCK_TTL_MS,
        lockWaitMs: config.LOCK_WAIT_MS,
      })
    : new FileConversationStore({
        dir: join(dataDir, "sessions"),
        sessionTtlMs: config.SESSION_TTL_DAYS * 86_400_000,
        dedupeTtlMs: config.DEDUPE_TTL_HOURS * 3_600_000,
        now: () => now().getTime(),
      });

  let records: Records;
  let pending = async (): Promise<number | null> => null;
  let drainTimer: NodeJS.Timeout | undefined;
  if (config.MONGODB_URI) {
    const db = new MongoConnection(
      { uri: config.MONGODB_URI, poolSize: config.MONGODB_POOL_SIZE, timeoutMs: config.MONGODB_TIMEOUT_MS },
      log,
    );
    const outbox = <T>(name: string) =>
      redis
        ? new RedisOutbox<T>(redis, `${config.REDIS_KEY_PREFIX}outbox:${name}`)
        : new FileOutbox<T>(join(dataDir, `outbox-${name}.json`));
    const durable = durableRecords(
      mongoRecords(db, referencePrefix, now),
      { pledges: outbox("pledges"), consents: outbox("consents") },
      referencePrefix,
      now,
      log,
    );
    records = durable;
    pending = () => durable.pending().catch(() => -1);
    const drain = async () => {
      if (!db.up) return;
      const moved = await durable.drain();
      if (moved > 0) log.info({ moved }, "outbox: records written to MongoDB");
    };
    drainTimer = setInterval(() => void drain(), config.OUTBOX_DRAIN_MS);
    drainTimer.unref();
    db.conn.on("reconnected", () => void drain());
    void db.whenOpen().then(drain);
  } else {
    records = embeddedRecords(dataDir, referencePrefix, now);
  }

  const keyValue = redis
    ? new RedisKeyValueStore(redis, `${config.REDIS_KEY_PREFIX}kv:`)
    : new FileKeyValueStore(join(dataDir, "channel-state.json"));

  return {
    sessions,
    records,
    keyValue,
    redis,
    async readiness() {
      const [s, r, outbox] = await Promise.all([
        sessions.ping().catch(() => false),
        records.ping().catch(() => false),
        pending(),
      ]);
      return {
        sessions: { kind: redis ? "redis" : "file", up: s },
        records: { kind: config.MONGODB_URI ? "mongodb" : "embedded", up: r },
        outbox,
      };
    },
    async close() {
      clearInterval(drainTimer);
      await sessions.close();
      await records.close();
    },
  };
}
