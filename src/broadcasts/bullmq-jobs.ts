import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { errorInfo } from "../log/error-info.ts";
import { dailyCron } from "../staff/daily-time.ts";
import type { Batch, BroadcastJobs, JobHandlers } from "./jobs.ts";

export interface BullJobsOptions {
  redisUrl: string;
  /** BullMQ key prefix (e.g. "ct:bull"). */
  prefix: string;
  channels: string[];
  /** Batches one process works on at once, per channel. */
  concurrency: number;
  /** A killed worker's batch is taken over after about this long. */
  lockMs: number;
  sweepEveryMs: number;
  /** HH:MM in Vietnam for the staff digest, or "off". */
  digestAt: string;
  /** False: this process only queues (e.g. a web-only process); another runs the workers. */
  work: boolean;
}

const CONTROL = "broadcast-control";
const DIGEST = "staff-digest";
const deliveryQueue = (channel: string) => `deliver-${channel}`;

/**
 * BullMQ: one control queue (expand a broadcast, the reminder sweep) and one delivery queue per
 * channel, so a slow or rate-limited channel never holds another's workers. Batches that must
 * wait (paused, quiet hours) are moved back to delayed; a killed worker's batch stalls and is
 * rerun by a live worker, and the delivery ledger makes the rerun skip who already got it.
 */
export class BullJobs implements BroadcastJobs {
  private readonly connection: Redis;
  private readonly control: Queue;
  private readonly delivery = new Map<string, Queue>();
  private readonly workers: Worker[] = [];

  constructor(
    private readonly options: BullJobsOptions,
    private readonly log: Logger,
  ) {
    // BullMQ's blocking reads need maxRetriesPerRequest null, so it gets its own connection.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.connection.on("error", () => {}); // reported by the main connection and /readyz
    const q = (name: string) =>
      this.quiet(new Queue(name, { connection: this.connection, prefix: options.prefix }));
    this.control = q(CONTROL);
    for (const channel of options.channels) this.delivery.set(channel, q(deliveryQueue(channel)));
  }

  async start(handlers: JobHandlers): Promise<void> {
    await this.control.upsertJobScheduler(
      "reminder-sweep",
      { every: this.options.sweepEveryMs },
      { name: "sweep" },
    );
    // One scheduler in Redis for every process: the digest goes out once a day, not once per process.
    if (this.options.digestAt === "off") await this.control.removeJobScheduler(DIGEST);
    else
      await this.control.upsertJobScheduler(
        DIGEST,
        { pattern: dailyCron(this.options.digestAt), tz: "Asia/Ho_Chi_Minh" },
        { name: "digest" },
      );
    if (!this.options.work) return;
    const common = {
      connection: this.connection,
      prefix: this.options.prefix,
      lockDuration: this.options.lockMs,
      stalledInterval: this.options.lockMs,
      maxStalledCount: 10,
    };
    this.workers.push(
      new Worker(
        CONTROL,
        async (job: Job) =>
          job.name === "sweep"
            ? handlers.sweep()
            : job.name === "digest"
              ? handlers.digest()
              : handlers.expand(job.data.broadcastId as string),
        { ...common, concurrency: 2 },
      ),
    );
    for (const channel of this.options.channels) {
      this.workers.push(
        new Worker(
          deliveryQueue(channel),
          async (job: Job<Batch>, token?: string) => {
            const result = await handlers.batch(job.data);
            if ("retryInMs" in result) {
              await job.moveToDelayed(Date.now() + result.retryInMs, token);
              throw new DelayedError();
            }
          },
          { ...common, concurrency: this.options.concurrency },
        ),
      );
    }
    for (const w of this.workers) {
      this.quiet(w);
      w.on("failed", (job, err) =>
        this.log.error({ queue: w.name, job: job?.id, err: errorInfo(err) }, "broadcast: job failed"),
      );
    }
  }

  /**
   * Queues and workers emit "error" while Redis is away; unheard, an "error" event would crash
   * the process. Logged at most every 10 s: they reconnect by themselves.
   */
  private quiet<T extends { on(event: "error", listener: (err: Error) => void): unknown }>(emitter: T): T {
    emitter.on("error", (err: Error) => {
      if (Date.now() - this.lastErrorLog < 10_000) return;
      this.lastErrorLog = Date.now();
      this.log.warn({ err: errorInfo(err) }, "broadcast queues: Redis error (retrying)");
    });
    return emitter;
  }

  private lastErrorLog = 0;

  async expandIn(broadcastId: string, ms: number): Promise<void> {
    await this.control.add(
      "expand",
      { broadcastId },
      {
        delay: Math.max(0, ms),
        attempts: 10,
        backoff: { type: "exponential", delay: 1_000 },
        removeOnComplete: 100,
        removeOnFail: 1_000,
      },
    );
  }

  async enqueue(batches: Batch[]): Promise<void> {
    const byChannel = new Map<string, Batch[]>();
    for (const b of batches) {
      const list = byChannel.get(b.channel);
      if (list) list.push(b);
      else byChannel.set(b.channel, [b]);
    }
    for (const [channel, list] of byChannel) {
      const queue = this.delivery.get(channel);
      if (!queue) throw new Error(`broadcast jobs: no delivery queue for channel ${channel}`);
      // jobId = batch id: a batch queued twice (expand rerun after a crash) is one job.
      await queue.addBulk(
        list.map((b) => ({
          name: "batch",
          data: b,
          opts: {
            jobId: b.id,
            attempts: 8,
            backoff: { type: "exponential", delay: 2_000 },
            removeOnComplete: { age: 86_400 },
            removeOnFail: 1_000,
          },
        })),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([this.control.close(), ...[...this.delivery.values()].map((q) => q.close())]);
    this.connection.disconnect();
  }
}
