import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Redis } from "ioredis";

/** Where one (broadcast, recipient) delivery ended. "sending" with no outcome after the run is reported as unconfirmed. */
export const DELIVERY_STATES = [
  "sending",
  "sent",
  "failed",
  "blocked",
  "outside_window",
  "opted_out",
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export type DeliveryOutcome = Exclude<DeliveryState, "sending">;

/**
 * The durable record of who got which broadcast, checked before every send. A recipient is
 * claimed ("sending") just before the platform call and settled after it. A claim is never
 * taken twice: if a worker dies between claim and answer, the retry finds the claim and skips
 * that recipient (reported as unconfirmed) rather than risk a second message. A claim is given
 * back only when the platform certainly did not deliver (429, connection refused).
 */
export interface DeliveryLedger {
  /** True for the one caller that takes this recipient; false if anyone took it before. */
  claim(broadcastId: string, recipient: string): Promise<boolean>;
  settle(broadcastId: string, recipient: string, outcome: DeliveryOutcome): Promise<void>;
  release(broadcastId: string, recipient: string): Promise<void>;
  /** Records a recipient passed over without a send (opted out meanwhile); once. */
  skip(broadcastId: string, recipient: string, outcome: DeliveryOutcome): Promise<void>;
  counts(broadcastId: string): Promise<Partial<Record<DeliveryState, number>>>;
  /** Recipients (`channel:userId`) whose delivery is in one of `states`, at most `limit`: the report's lists. */
  recipientsIn(
    broadcastId: string,
    states: DeliveryState[],
    limit: number,
  ): Promise<Array<{ recipient: string; state: DeliveryState }>>;
  /** Registers batches (by id, so registering one twice counts it once). */
  addBatches(broadcastId: string, batchIds: string[]): Promise<void>;
  /** Marks a batch finished (once); returns how many of the broadcast's batches are left. */
  finishBatch(broadcastId: string, batchId: string): Promise<number>;
  batchesLeft(broadcastId: string): Promise<number>;
}

/** In memory, optionally appended to a file (embedded mode) so a restart does not resend. */
export class MemoryDeliveryLedger implements DeliveryLedger {
  private readonly states = new Map<string, Map<string, DeliveryState>>();
  private readonly batchSets = new Map<string, { all: Set<string>; done: Set<string> }>();

  constructor(private readonly path: string | null = null) {
    if (!path) return;
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        throw new Error(`delivery ledger: cannot read ${path}: ${(err as Error).message}`);
    }
    for (const line of text.split("\n")) {
      if (!line) continue;
      const [b, r, s] = JSON.parse(line) as [string, string, DeliveryState | null];
      this.apply(b, r, s);
    }
    mkdirSync(dirname(path), { recursive: true });
  }

  async claim(b: string, r: string): Promise<boolean> {
    if (this.of(b).has(r)) return false;
    this.write(b, r, "sending");
    return true;
  }

  async settle(b: string, r: string, outcome: DeliveryOutcome): Promise<void> {
    if (this.of(b).get(r) === "sending") this.write(b, r, outcome);
  }

  async release(b: string, r: string): Promise<void> {
    if (this.of(b).get(r) === "sending") this.write(b, r, null);
  }

  async skip(b: string, r: string, outcome: DeliveryOutcome): Promise<void> {
    if (!this.of(b).has(r)) this.write(b, r, outcome);
  }

  async counts(b: string): Promise<Partial<Record<DeliveryState, number>>> {
    const out: Partial<Record<DeliveryState, number>> = {};
    for (const s of this.of(b).values()) out[s] = (out[s] ?? 0) + 1;
    return out;
  }

  async recipientsIn(
    b: string,
    states: DeliveryState[],
    limit: number,
  ): Promise<Array<{ recipient: string; state: DeliveryState }>> {
    const out: Array<{ recipient: string; state: DeliveryState }> = [];
    for (const [recipient, state] of this.of(b)) {
      if (out.length >= limit) break;
      if (states.includes(state)) out.push({ recipient, state });
    }
    return out;
  }

  async addBatches(b: string, ids: string[]): Promise<void> {
    for (const id of ids) this.batchesOf(b).all.add(id);
  }

  async finishBatch(b: string, id: string): Promise<number> {
    const sets = this.batchesOf(b);
    sets.done.add(id);
    return sets.all.size - sets.done.size;
  }

  async batchesLeft(b: string): Promise<number> {
    const sets = this.batchesOf(b);
    return sets.all.size - sets.done.size;
  }

  private batchesOf(b: string): { all: Set<string>; done: Set<string> } {
    let sets = this.batchSets.get(b);
    if (!sets) this.batchSets.set(b, (sets = { all: new Set(), done: new Set() }));
    return sets;
  }

  private of(b: string): Map<string, DeliveryState> {
    let m = this.states.get(b);
    if (!m) this.states.set(b, (m = new Map()));
    return m;
  }

  private write(b: string, r: string, s: DeliveryState | null): void {
    // Appended before the send happens, so a crash right after still knows the claim.
    if (this.path) appendFileSync(this.path, `${JSON.stringify([b, r, s])}\n`);
    this.apply(b, r, s);
  }

  private apply(b: string, r: string, s: DeliveryState | null): void {
    if (s === null) this.of(b).delete(r);
    else this.of(b).set(r, s);
  }
}

// KEYS[1] = states hash, KEYS[2] = counts hash; ARGV[1] = recipient, ARGV[2] = new state.
const CLAIM = `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('HINCRBY', KEYS[2], ARGV[2], 1) return 1 end return 0`;
const SETTLE = `if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'sending' then return 0 end
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('HINCRBY', KEYS[2], ARGV[2], 1) end
redis.call('HINCRBY', KEYS[2], 'sending', -1) return 1`;

const LEFT = `return redis.call('SCARD', KEYS[1]) - redis.call('SCARD', KEYS[2])`;

/**
 * In Redis, shared by every worker process: one hash of states and one of counts per broadcast
 * (same hash tag), changed together by scripts, so counts stay exact however often jobs rerun.
 */
export class RedisDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(b: string, r: string): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 2, ...this.keys(b).pair, r, "sending")) === 1;
  }

  async settle(b: string, r: string, outcome: DeliveryOutcome): Promise<void> {
    await this.redis.eval(SETTLE, 2, ...this.keys(b).pair, r, outcome);
  }

  async release(b: string, r: string): Promise<void> {
    await this.redis.eval(SETTLE, 2, ...this.keys(b).pair, r, "");
  }

  async skip(b: string, r: string, outcome: DeliveryOutcome): Promise<void> {
    await this.redis.eval(CLAIM, 2, ...this.keys(b).pair, r, outcome);
  }

  async counts(b: string): Promise<Partial<Record<DeliveryState, number>>> {
    const raw = await this.redis.hgetall(this.keys(b).pair[1]);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async recipientsIn(
    b: string,
    states: DeliveryState[],
    limit: number,
  ): Promise<Array<{ recipient: string; state: DeliveryState }>> {
    const out: Array<{ recipient: string; state: DeliveryState }> = [];
    let cursor = "0";
    // HSCAN walks the states hash in pages; a broadcast's hash is one entry per recipient.
    do {
      const [next, flat] = await this.redis.hscan(this.keys(b).pair[0], cursor, "COUNT", 1000);
      cursor = next;
      for (let i = 0; i < flat.length && out.length < limit; i += 2)
        if (states.includes(flat[i + 1] as DeliveryState))
          out.push({ recipient: flat[i]!, state: flat[i + 1] as DeliveryState });
    } while (cursor !== "0" && out.length < limit);
    return out;
  }

  async addBatches(b: string, ids: string[]): Promise<void> {
    if (ids.length) await this.redis.sadd(this.keys(b).batches, ...ids);
  }

  async batchesLeft(b: string): Promise<number> {
    const { batches: all, done } = this.keys(b);
    return Number(await this.redis.eval(LEFT, 2, all, done));
  }

  async finishBatch(b: string, id: string): Promise<number> {
    const { batches: all, done } = this.keys(b);
    const [, [, left]] = (await this.redis.multi().sadd(done, id).eval(LEFT, 2, all, done).exec()) as [
      unknown,
      [unknown, number],
    ];
    return left;
  }

  /** The states and counts hashes (what the scripts take), then the queued and finished batch sets; one hash tag per broadcast. */
  private keys(b: string): { pair: [string, string]; batches: string; done: string } {
    const p = `${this.prefix}bc:{${b}}:`;
    return { pair: [`${p}states`, `${p}counts`], batches: `${p}batches`, done: `${p}done` };
  }
}
