import type { Redis } from "ioredis";

/** Messages per second per channel; 0 lifts the limit. */
export type ChannelRates = Record<string, number>;

/**
 * One send rate per channel, shared by every worker. Each send reserves the next free slot
 * (slots are 1/rate apart, no bursts), so over any one-second window a channel never exceeds
 * its rate. `pause` (a 429's retry_after) pushes every later slot past the pause.
 */
export interface RateLimiter {
  /** Waits until this send may go. */
  take(channel: string): Promise<void>;
  pause(channel: string, ms: number): Promise<void>;
}

/**
 * Slots are spaced a little wider than 1/rate: timers fire a few ms late, and two late-then-
 * on-time sends must not fit rate + 1 messages into one second. 1.5% is within the 3% budget.
 */
export const SPACING_MARGIN = 1.015;

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());
const spacingMs = (rate: number) => (rate > 0 ? (1000 / rate) * SPACING_MARGIN : 0);

/** Fresh slots a send may take after waking late, before it goes anyway (a process that is always late must still send). */
const LATE_RETRIES = 2;
/** How late a send may wake and still go: the slack the spacing margin leaves in one second. */
const LATE_SLACK_MS = 1000 * (SPACING_MARGIN - 1);

/**
 * Waits for a reserved slot. A send that wakes later than the margin allows (its process
 * stalled: a GC pause, a starved CPU) would go out together with the sends after it, more than
 * the rate in one second; it takes a fresh slot instead.
 */
async function waitForSlot(reserve: () => Promise<number>, spacing: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    const wait = await reserve();
    const due = performance.now() + wait;
    await sleep(wait);
    if (spacing === 0 || tries >= LATE_RETRIES || performance.now() - due <= LATE_SLACK_MS) return;
  }
}

/** In one process (embedded mode). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly rates: ChannelRates,
    private readonly clock: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  async take(channel: string): Promise<void> {
    const spacing = spacingMs(this.rates[channel] ?? 0);
    await waitForSlot(async () => {
      const now = this.clock();
      const slot = Math.max(now, this.next.get(channel) ?? 0);
      if (spacing > 0 || slot > now) this.next.set(channel, slot + spacing);
      return slot - now;
    }, spacing);
  }

  async pause(channel: string, ms: number): Promise<void> {
    this.next.set(channel, Math.max(this.next.get(channel) ?? 0, this.clock() + ms));
  }
}

// KEYS[1] = next free slot (ms, float); ARGV[1] = spacing ms. Redis TIME is the one clock all
// processes share. Returns how long the caller waits for its slot.
const TAKE = `local t = redis.call('TIME') local now = t[1] * 1000 + t[2] / 1000
local slot = tonumber(redis.call('GET', KEYS[1]) or '0') if slot < now then slot = now end
local spacing = tonumber(ARGV[1])
if spacing > 0 or slot > now then redis.call('SET', KEYS[1], tostring(slot + spacing), 'PX', math.ceil(slot - now + spacing) + 60000) end
return tostring(slot - now)`;
const PAUSE = `local t = redis.call('TIME') local until_ = t[1] * 1000 + t[2] / 1000 + tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > slot then redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1])) + 60000) end return 1`;

/** Across processes, in Redis: one script call per send. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly rates: ChannelRates,
  ) {}

  async take(channel: string): Promise<void> {
    const spacing = spacingMs(this.rates[channel] ?? 0);
    await waitForSlot(
      async () => Number(await this.redis.eval(TAKE, 1, this.key(channel), String(spacing))),
      spacing,
    );
  }

  async pause(channel: string, ms: number): Promise<void> {
    await this.redis.eval(PAUSE, 1, this.key(channel), String(ms));
  }

  private key(channel: string): string {
    return `${this.prefix}rate:${channel}`;
  }
}
