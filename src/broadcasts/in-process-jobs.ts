import type { Logger } from "pino";
import { errorInfo } from "../log/error-info.ts";
import { nextVietnamTime } from "../time/vietnam-time.ts";
import type { Batch, BroadcastJobs, JobHandlers } from "./jobs.ts";

/**
 * Embedded mode (no Redis): the same handlers on timers and in-memory queues, with the same
 * per-channel concurrency. Queues do not survive a restart; the broadcast service requeues
 * unfinished broadcasts at start, and the file-backed delivery ledger skips who already got them.
 */
export class InProcessJobs implements BroadcastJobs {
  private handlers: JobHandlers | null = null;
  private readonly queues = new Map<string, Batch[]>();
  private readonly busy = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: { concurrency: number; sweepEveryMs: number; digestAt: string },
    private readonly log: Logger,
  ) {}

  async start(handlers: JobHandlers): Promise<void> {
    this.handlers = handlers;
    this.sweepTimer = setInterval(
      () =>
        void handlers
          .sweep()
          .catch((err: unknown) => this.log.error({ err: errorInfo(err) }, "reminders: sweep failed")),
      this.options.sweepEveryMs,
    );
    this.sweepTimer.unref();
    if (this.options.digestAt !== "off") this.armDigest(handlers);
    for (const channel of this.queues.keys()) this.pump(channel);
  }

  /** The staff digest at the next STAFF_DIGEST_AT in Vietnam, then again a day later. */
  private armDigest(handlers: JobHandlers): void {
    const at = nextVietnamTime(new Date(), this.options.digestAt);
    this.later(at.getTime() - Date.now(), async () => {
      await handlers
        .digest()
        .catch((err: unknown) => this.log.error({ err: errorInfo(err) }, "staff digest failed"));
      if (!this.closed) this.armDigest(handlers);
    });
  }

  async expandIn(broadcastId: string, ms: number): Promise<void> {
    this.later(ms, async () => {
      try {
        await this.handlers?.expand(broadcastId);
      } catch (err) {
        this.log.error(
          { broadcast: broadcastId, err: errorInfo(err) },
          "broadcast: expand failed; retrying in 5 s",
        );
        await this.expandIn(broadcastId, 5_000);
      }
    });
  }

  async enqueue(batches: Batch[]): Promise<void> {
    for (const b of batches) {
      const q = this.queues.get(b.channel) ?? [];
      q.push(b);
      this.queues.set(b.channel, q);
      this.pump(b.channel);
    }
  }

  /** Stops taking work and waits for the batches running now (they stop at their next message). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    for (const t of this.timers) clearTimeout(t);
    while ([...this.busy.values()].some((n) => n > 0)) await new Promise((r) => setTimeout(r, 10));
  }

  private pump(channel: string): void {
    const q = this.queues.get(channel);
    if (!this.handlers || this.closed || !q) return;
    while ((this.busy.get(channel) ?? 0) < this.options.concurrency && q.length) {
      const batch = q.shift()!;
      this.busy.set(channel, (this.busy.get(channel) ?? 0) + 1);
      void this.run(batch).finally(() => {
        this.busy.set(channel, this.busy.get(channel)! - 1);
        this.pump(channel);
      });
    }
  }

  private async run(batch: Batch): Promise<void> {
    try {
      const result = await this.handlers!.batch(batch);
      if ("retryInMs" in result) this.later(result.retryInMs, () => this.enqueue([batch]));
    } catch (err) {
      this.log.error(
        { broadcast: batch.broadcastId, err: errorInfo(err) },
        "broadcast: batch failed; retrying in 5 s",
      );
      this.later(5_000, () => this.enqueue([batch]));
    }
  }

  private later(ms: number, run: () => Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void run();
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.add(timer);
  }
}
