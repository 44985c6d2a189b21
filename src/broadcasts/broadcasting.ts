import { join, resolve } from "node:path";
import type { App } from "../app.ts";
import { errorInfo } from "../log/error-info.ts";
import { BroadcastDelivery } from "./broadcast-delivery.ts";
import { BroadcastService } from "./broadcast-service.ts";
import { BullJobs } from "./bullmq-jobs.ts";
import { MemoryDeliveryLedger, RedisDeliveryLedger } from "./delivery-ledger.ts";
import { InProcessJobs } from "./in-process-jobs.ts";
import type { BroadcastJobs } from "./jobs.ts";
import { parseQuietHours } from "./quiet-hours.ts";
import { MemoryRateLimiter, RedisRateLimiter } from "./rate-limiter.ts";
import { Reminders } from "./reminders.ts";

export interface Broadcasting {
  service: BroadcastService;
  reminders: Reminders;
  close(): Promise<void>;
}

/**
 * Broadcasts and reminders for the channels that run here (app.senders, filled as they start). With Redis: BullMQ queues, a Redis
 * delivery ledger and rate limits shared by every process. Without: the same in-process, with
 * the ledger appended to DATA_DIR, so the local demo shows broadcasts at the same limits.
 */
export async function startBroadcasting(app: App): Promise<Broadcasting> {
  const c = app.config;
  const senders = app.senders;
  const redis = app.stores.redis;
  const rates = {
    telegram: c.BROADCAST_RATE_TELEGRAM,
    "zalo-oa": c.BROADCAST_RATE_ZALO_OA,
    "zalo-bot": c.BROADCAST_RATE_ZALO_BOT,
    webchat: c.BROADCAST_RATE_WEBCHAT,
  };
  const ledger = redis
    ? new RedisDeliveryLedger(redis, c.REDIS_KEY_PREFIX)
    : new MemoryDeliveryLedger(join(resolve(c.DATA_DIR), "broadcast-deliveries.jsonl"));
  const limiter = redis
    ? new RedisRateLimiter(redis, c.REDIS_KEY_PREFIX, rates)
    : new MemoryRateLimiter(rates);
  const jobs: BroadcastJobs = c.REDIS_URL
    ? new BullJobs(
        {
          redisUrl: c.REDIS_URL,
          prefix: `${c.REDIS_KEY_PREFIX}bull`,
          channels: [...senders.keys()],
          concurrency: c.BROADCAST_CONCURRENCY,
          lockMs: c.BROADCAST_LOCK_MS,
          sweepEveryMs: c.REMINDER_SWEEP_MS,
          digestAt: c.STAFF_DIGEST_AT,
          work: c.BROADCAST_WORKER,
        },
        app.log,
      )
    : new InProcessJobs(
        {
          concurrency: c.BROADCAST_CONCURRENCY,
          sweepEveryMs: c.REMINDER_SWEEP_MS,
          digestAt: c.STAFF_DIGEST_AT,
        },
        app.log,
      );
  const quiet = parseQuietHours(c.QUIET_HOURS);
  const common = {
    records: app.records,
    engine: app.engine,
    limiter,
    senders,
    quiet,
    now: app.now,
    log: app.log,
    defaultLang: c.DEFAULT_LANGUAGE,
  };
  const delivery = new BroadcastDelivery({
    ...common,
    ledger,
    jobs,
    batchSize: c.BROADCAST_BATCH_SIZE,
    maxWaitMs: c.BROADCAST_MAX_WAIT_MS,
    pausePollMs: c.BROADCAST_PAUSE_POLL_MS,
  });
  const reminders = new Reminders({
    ...common,
    delayMs: c.REMINDER_DELAY_HOURS * 3_600_000,
    maxReminders: c.REMINDER_MAX,
  });
  const service = new BroadcastService({ ...common, ledger, jobs });
  await jobs.start({
    expand: (id) => delivery.expand(id),
    batch: (b) => delivery.batch(b),
    sweep: async () => {
      try {
        await reminders.sweep();
      } catch (err) {
        app.log.error({ err: errorInfo(err) }, "reminders: sweep failed");
      }
    },
    digest: () => app.staffAlerts.digest(),
  });
  if (!redis) {
    const resumed = await service.recover();
    if (resumed) app.log.info({ resumed }, "broadcasts: unfinished broadcasts queued again after a restart");
  }
  return {
    service,
    reminders,
    close: async () => {
      delivery.stop();
      await jobs.close();
    },
  };
}
