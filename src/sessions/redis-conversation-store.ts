import type { Redis } from "ioredis";
import type { Session } from "../engine/session.ts";
import type { ConversationStore, Lease } from "./conversation-store.ts";

export interface RedisStoreOptions {
  keyPrefix: string;
  sessionTtlSeconds: number;
  dedupeTtlSeconds: number;
  /**
   * A turn's lease on its conversation and message id: renewed every third of it while the turn
   * runs, so a turn that died frees both this long after its last renewal.
   */
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

// Per conversation, one hash `c:{key}` with fields s = session, t = last ticket issued,
// n = ticket now served, e = when the served ticket's hold expires (ms, Redis clock); beside it
// `c:{key}:a` = tickets whose turn gave up, and `c:{key}:d:<id>` = a message id: 'p' (in
// progress, expiring with its turn's lease) or 'd' (done, kept DEDUPE_TTL for redeliveries). Tickets are
// issued in the order acquire runs on Redis, so turns apply in arrival order across processes;
// the hold's expiry lets later turns skip a dead holder. One hash keeps a turn at 4 + 3 Redis
// commands when nobody waits (it was 7 + 8 on five keys).

const NOW = `local function now() local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000) end
`;

/** Serve the next ticket after `from`, skipping abandoned ones; hold it for its (waiting) turn. */
const ADVANCE = `${NOW}
local function advance(h, aKey, from, holdMs)
  local last = tonumber(redis.call('HGET', h, 't') or '0')
  local nxt = from + 1
  while nxt <= last and redis.call('SREM', aKey, nxt) == 1 do nxt = nxt + 1 end
  redis.call('HSET', h, 'n', nxt, 'e', nxt <= last and now() + holdMs or 0)
  return nxt
end
`;

/** KEYS d h. Claim the message id (in progress), take a ticket; if served at once, hold it and read the session. */
const ACQUIRE = `${NOW}
if not redis.call('SET', KEYS[1], 'p', 'NX', 'PX', ARGV[1]) then return {-1} end
-- One read and one write (the script runs alone, so read-then-write is atomic).
local v = redis.call('HMGET', KEYS[2], 't', 'n', 's')
local ticket = tonumber(v[1] or '0') + 1
local n = tonumber(v[2] or '0')
if n == 0 or n > ticket then n = ticket end
if n == ticket then
  redis.call('HSET', KEYS[2], 't', ticket, 'n', n, 'e', now() + ARGV[2])
else
  redis.call('HSET', KEYS[2], 't', ticket)
end
if ticket == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if n == ticket then return {1, ticket, v[3]} end
return {0, ticket}`;

/** KEYS h a. Poll while turns ahead run; skip a served ticket whose holder's hold expired. */
const WAIT = `${ADVANCE}
local ticket = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'n', 'e')
local n = tonumber(v[1] or '0')
if n == 0 then n = ticket; redis.call('HSET', KEYS[1], 'n', n) end
if n < ticket and tonumber(v[2] or '0') < now() then n = advance(KEYS[1], KEYS[2], n, ARGV[2]) end
if n == ticket then
  redis.call('HSET', KEYS[1], 'e', now() + ARGV[2])
  return {1, redis.call('HGET', KEYS[1], 's')}
end
if n > ticket then return {-2} end
return {0}`;

/** KEYS h d. A running turn renews its hold and its message id's claim. */
const RENEW = `${NOW}
if tonumber(redis.call('HGET', KEYS[1], 'n') or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'e', now() + ARGV[2])
if redis.call('GET', KEYS[2]) == 'p' then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`;

/**
 * KEYS h a d. Compare-and-release: only the served ticket's turn writes the session, marks its
 * message done and hands over. A failed turn frees its message id; a turn that lost its hold
 * leaves the id in progress, to lapse, so the redelivery redoes what was not written.
 */
const RELEASE = `${ADVANCE}
local ticket = tonumber(ARGV[1])
if ARGV[5] == '1' then redis.call('DEL', KEYS[3]) end
local v = redis.call('HMGET', KEYS[1], 'n', 't')
if tonumber(v[1] or '0') ~= ticket then return 0 end
if ARGV[5] ~= '1' then redis.call('SET', KEYS[3], 'd', 'EX', ARGV[6]) end
if ticket >= tonumber(v[2] or '0') then
  -- Nobody waits: write and free in one command.
  local fields = {'n', ticket + 1, 'e', 0}
  if ARGV[2] ~= '' then fields[5] = 's'; fields[6] = ARGV[2] end
  redis.call('HSET', KEYS[1], unpack(fields))
else
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 's', ARGV[2]) end
  advance(KEYS[1], KEYS[2], ticket, ARGV[4])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

/** KEYS h a d. A waiter gives up: free its message id; its ticket is skipped at hand-over. */
const ABANDON = `${ADVANCE}
redis.call('DEL', KEYS[3])
local ticket = tonumber(ARGV[1])
if tonumber(redis.call('HGET', KEYS[1], 'n') or '0') == ticket then
  advance(KEYS[1], KEYS[2], ticket, ARGV[2])
else
  redis.call('SADD', KEYS[2], ticket)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1`;

type Scripts = {
  ctAcquire(
    d: string,
    h: string,
    dedupeTtl: number,
    holdMs: number,
    newTtl: number,
  ): Promise<[number, number?, (string | null)?]>;
  ctWait(h: string, a: string, ticket: number, holdMs: number): Promise<[number, (string | null)?]>;
  ctRelease(
    h: string,
    a: string,
    d: string,
    ticket: number,
    json: string,
    sessionTtl: number,
    holdMs: number,
    failed: string,
    dedupeTtl: number,
  ): Promise<number>;
  ctRenew(h: string, d: string, ticket: number, holdMs: number): Promise<number>;
  ctAbandon(
    h: string,
    a: string,
    d: string,
    ticket: number,
    holdMs: number,
    abandonedTtl: number,
  ): Promise<number>;
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
    redis.defineCommand("ctAcquire", { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand("ctWait", { numberOfKeys: 2, lua: WAIT });
    redis.defineCommand("ctRelease", { numberOfKeys: 3, lua: RELEASE });
    redis.defineCommand("ctAbandon", { numberOfKeys: 3, lua: ABANDON });
    redis.defineCommand("ctRenew", { numberOfKeys: 2, lua: RENEW });
    this.redis = redis as Redis & Scripts;
  }

  /**
   * All keys of a conversation share a hash slot (message id claims are `<h>:d:<id>`), so the
   * scripts also run on Redis Cluster.
   */
  private keys(conversationKey: string) {
    const h = `${this.options.keyPrefix}c:{${conversationKey}}`;
    return { h, a: `${h}:a` };
  }

  /** Abandoned tickets outlive any wait, and vanish when a conversation is idle. */
  private get abandonedTtlMs(): number {
    return Math.max(this.options.lockTtlMs * 4, 3_600_000);
  }

  async acquire(conversationKey: string, messageKey: string): Promise<Lease | null> {
    const k = this.keys(conversationKey);
    const d = `${k.h}:d:${messageKey}`;
    const o = this.options;
    // In progress while the turn waits for its conversation and while it runs (renewed).
    const [status, ticket, json] = await this.redis.ctAcquire(
      d,
      k.h,
      o.lockWaitMs + o.lockTtlMs,
      o.lockTtlMs,
      o.sessionTtlSeconds,
    );
    if (status === -1) return null;
    if (status === 1) return lease(conversationKey, messageKey, ticket!, json ?? null);

    const started = Date.now();
    // Contention is rare (one person sending several messages at once): poll briefly.
    for (let delay = 1; ; delay = Math.min(delay * 1.5, 10)) {
      await new Promise((r) => setTimeout(r, delay));
      const [state, waitedJson] = await this.redis.ctWait(k.h, k.a, ticket!, o.lockTtlMs);
      if (state === 1) return lease(conversationKey, messageKey, ticket!, waitedJson ?? null);
      if (state === -2 || Date.now() - started > o.lockWaitMs) {
        await this.redis.ctAbandon(k.h, k.a, d, ticket!, o.lockTtlMs, this.abandonedTtlMs).catch(() => {});
        throw new ConversationBusyError(conversationKey, Date.now() - started);
      }
    }
  }

  get renewEveryMs(): number {
    return Math.max(50, Math.floor(this.options.lockTtlMs / 3));
  }

  async renew(lease: Lease): Promise<boolean> {
    const k = this.keys(lease.key);
    const held = await this.redis.ctRenew(
      k.h,
      `${k.h}:d:${lease.messageKey}`,
      Number(lease.token),
      this.options.lockTtlMs,
    );
    return held === 1;
  }

  async release(
    lease: Lease,
    session: Session | null,
    options?: { failed?: boolean; ttlSeconds?: number },
  ): Promise<void> {
    const k = this.keys(lease.key);
    const d = `${k.h}:d:${lease.messageKey}`;
    const o = this.options;
    const held = await this.redis.ctRelease(
      k.h,
      k.a,
      d,
      Number(lease.token),
      session ? JSON.stringify(session) : "",
      options?.ttlSeconds ?? o.sessionTtlSeconds,
      o.lockTtlMs,
      options?.failed ? "1" : "0",
      o.dedupeTtlSeconds,
    );
    if (held !== 1)
      throw new Error(
        `redis conversation store: lock on ${lease.key} expired before release and a later turn took over; the session was not written`,
      );
  }

  async delete(conversationKey: string): Promise<void> {
    await this.redis.hdel(this.keys(conversationKey).h, "s");
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === "PONG";
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function lease(key: string, messageKey: string, ticket: number, json: string | null): Lease {
  return { key, token: String(ticket), messageKey, session: json ? (JSON.parse(json) as Session) : null };
}
