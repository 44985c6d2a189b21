import type { Redis } from "ioredis";
import type { Session } from "../engine/session.ts";
import type { ConversationStore, Lease } from "./conversation-store.ts";

export interface RedisStoreOptions {
  keyPrefix: string;
  sessionTtlSeconds: number;
  dedupeTtlSeconds: number;
  /** A turn holding a conversation longer than this is presumed dead and skipped. */
  lockTtlMs: number;
  /** How long a turn waits for the turns ahead of it before giving up (busy). */
  lockWaitMs: number;
}

/** Thrown when a turn waited lockWaitMs for its conversation; the message id is freed for redelivery. */
export class ConversationBusyError extends Error {
  constructor(conversationKey: string, waitedMs: number) {
    super(`redis conversation store: ${conversationKey} still busy after ${waitedMs} ms`);
    this.name = "ConversationBusyError";
  }
}

// Keys per conversation: s = session, t = last ticket issued, n = ticket now served,
// l = lock (value: the served ticket; expires if its holder dies), a = tickets whose turn gave up,
// d:<id> = a message id claim. Tickets are issued in the order acquire runs on Redis, so turns
// apply in arrival order across processes; the lock's expiry lets later turns skip a dead holder.

/** Serve the next ticket after `from`, skipping abandoned ones; lock it for its holder. */
const ADVANCE = `
local function advance(nKey, lKey, tKey, aKey, from, lockTtl, counterTtl)
  local last = tonumber(redis.call('GET', tKey) or '0')
  local nxt = from + 1
  while nxt <= last and redis.call('SREM', aKey, nxt) == 1 do nxt = nxt + 1 end
  redis.call('SET', nKey, nxt, 'PX', counterTtl)
  if nxt <= last then redis.call('SET', lKey, nxt, 'PX', lockTtl) else redis.call('DEL', lKey) end
  redis.call('PEXPIRE', tKey, counterTtl)
  return nxt
end
`;

/** KEYS d s t n l. Claim the message id, take a ticket; if served at once, lock and read the session. */
const ACQUIRE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {-1} end
local ticket = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
local n = tonumber(redis.call('GET', KEYS[4]) or '0')
if n == 0 or n > ticket then n = ticket end
redis.call('SET', KEYS[4], n, 'PX', ARGV[3])
if n == ticket then
  redis.call('SET', KEYS[5], ticket, 'PX', ARGV[2])
  return {1, ticket, redis.call('GET', KEYS[2])}
end
return {0, ticket}`;

/** KEYS s n l t a. Poll while turns ahead run; skip a served ticket whose holder's lock expired. */
const WAIT = `${ADVANCE}
local ticket = tonumber(ARGV[1])
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if n == 0 then n = ticket; redis.call('SET', KEYS[2], n, 'PX', ARGV[3]) end
if n < ticket and redis.call('EXISTS', KEYS[3]) == 0 then
  n = advance(KEYS[2], KEYS[3], KEYS[4], KEYS[5], n, ARGV[2], ARGV[3])
end
if n == ticket then
  redis.call('SET', KEYS[3], ticket, 'PX', ARGV[2])
  return {1, redis.call('GET', KEYS[1])}
end
if n > ticket then return {-2} end
return {0}`;

/** KEYS s n l t a d. Compare-and-release: only the ticket's holder writes the session and hands over. */
const RELEASE = `${ADVANCE}
local ticket = tonumber(ARGV[1])
if ARGV[6] == '1' then redis.call('DEL', KEYS[6]) end
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= ticket or tonumber(redis.call('GET', KEYS[3]) or '0') ~= ticket then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
advance(KEYS[2], KEYS[3], KEYS[4], KEYS[5], ticket, ARGV[4], ARGV[5])
return 1`;

/** KEYS n l t a d. A waiter gives up: free its message id; its ticket is skipped at hand-over. */
const ABANDON = `${ADVANCE}
redis.call('DEL', KEYS[5])
local ticket = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') == ticket then
  advance(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ticket, ARGV[2], ARGV[3])
else
  redis.call('SADD', KEYS[4], ticket)
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
end
return 1`;

type Scripts = {
  ctAcquire(d: string, s: string, t: string, n: string, l: string, dedupeTtl: number, lockTtl: number, counterTtl: number): Promise<[number, number?, (string | null)?]>;
  ctWait(s: string, n: string, l: string, t: string, a: string, ticket: number, lockTtl: number, counterTtl: number): Promise<[number, (string | null)?]>;
  ctRelease(s: string, n: string, l: string, t: string, a: string, d: string, ticket: number, json: string, sessionTtl: number, lockTtl: number, counterTtl: number, failed: string): Promise<number>;
  ctAbandon(n: string, l: string, t: string, a: string, d: string, ticket: number, lockTtl: number, counterTtl: number): Promise<number>;
};

/**
 * Sessions in Redis with one turn at a time per conversation across processes, in arrival
 * order. The common case is two round trips per turn: ACQUIRE (dedupe + ticket + lock + read)
 * and RELEASE (write + hand over); waiting for a busy conversation adds polls.
 */
export class RedisConversationStore implements ConversationStore {
  private readonly redis: Redis & Scripts;

  constructor(
    redis: Redis,
    private readonly options: RedisStoreOptions,
  ) {
    redis.defineCommand("ctAcquire", { numberOfKeys: 5, lua: ACQUIRE });
    redis.defineCommand("ctWait", { numberOfKeys: 5, lua: WAIT });
    redis.defineCommand("ctRelease", { numberOfKeys: 6, lua: RELEASE });
    redis.defineCommand("ctAbandon", { numberOfKeys: 5, lua: ABANDON });
    this.redis = redis as Redis & Scripts;
  }

  /** All keys of a conversation share a hash slot, so the scripts also run on Redis Cluster. */
  private keys(conversationKey: string) {
    const p = `${this.options.keyPrefix}c:{${conversationKey}}:`;
    return { s: `${p}s`, t: `${p}t`, n: `${p}n`, l: `${p}l`, a: `${p}a`, d: (messageKey: string) => `${p}d:${messageKey}` };
  }

  /** Counters outlive any wait, and vanish when a conversation is idle. */
  private get counterTtlMs(): number {
    return Math.max(this.options.lockTtlMs * 4, 3_600_000);
  }

  async acquire(conversationKey: string, messageKey: string): Promise<Lease | null> {
    const k = this.keys(conversationKey);
    const d = k.d(messageKey);
    const o = this.options;
    const [status, ticket, json] = await this.redis.ctAcquire(d, k.s, k.t, k.n, k.l, o.dedupeTtlSeconds, o.lockTtlMs, this.counterTtlMs);
    if (status === -1) return null;
    if (status === 1) return lease(conversationKey, ticket!, json ?? null);

    const started = Date.now();
    // Contention is rare (one person sending several messages at once): poll briefly.
    for (let delay = 1; ; delay = Math.min(delay * 1.5, 10)) {
      await new Promise((r) => setTimeout(r, delay));
      const [state, waitedJson] = await this.redis.ctWait(k.s, k.n, k.l, k.t, k.a, ticket!, o.lockTtlMs, this.counterTtlMs);
      if (state === 1) return lease(conversationKey, ticket!, waitedJson ?? null);
      if (state === -2 || Date.now() - started > o.lockWaitMs) {
        await this.redis.ctAbandon(k.n, k.l, k.t, k.a, d, ticket!, o.lockTtlMs, this.counterTtlMs).catch(() => {});
        throw new ConversationBusyError(conversationKey, Date.now() - started);
      }
    }
  }

  async release(lease: Lease, session: Session | null, options?: { failed?: boolean; messageKey?: string }): Promise<void> {
    const k = this.keys(lease.key);
    const d = k.d(options?.failed && options.messageKey ? options.messageKey : "-");
    const o = this.options;
    const held = await this.redis.ctRelease(k.s, k.n, k.l, k.t, k.a, d, Number(lease.token), session ? JSON.stringify(session) : "", o.sessionTtlSeconds, o.lockTtlMs, this.counterTtlMs, options?.failed ? "1" : "0");
    if (held !== 1) throw new Error(`redis conversation store: lock on ${lease.key} expired before release; the session was not written`);
  }

  async delete(conversationKey: string): Promise<void> {
    await this.redis.del(this.keys(conversationKey).s);
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === "PONG";
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function lease(key: string, ticket: number, json: string | null): Lease {
  return { key, token: String(ticket), session: json ? (JSON.parse(json) as Session) : null };
}
