import { metrics } from "../metrics/metrics.ts";
import { isLanguage } from "../engine/locales.ts";
import type { Reply } from "../engine/reply.ts";
import { audiencePages } from "./audience.ts";
import type { Broadcast } from "./broadcast.ts";
import { renderBroadcast } from "./broadcast-render.ts";
import type { DeliveryLedger, DeliveryOutcome } from "./delivery-ledger.ts";
import type { Batch, BatchResult, BroadcastJobs } from "./jobs.ts";
import type { Delivery, ProactiveSender } from "./proactive-sender.ts";
import { nextSendTime } from "./quiet-hours.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { SendingContext } from "./sending-context.ts";

export interface DeliveryDeps extends SendingContext {
  ledger: DeliveryLedger;
  jobs: BroadcastJobs;
  batchSize: number;
  /** Longest a waiting batch sleeps before checking again (quiet hours, a later start). */
  maxWaitMs: number;
  /** How often a paused broadcast's batches check for resume. */
  pausePollMs: number;
}

/** How a platform's answer is recorded in the ledger. */
const OUTCOME: Record<"sent" | "blocked" | "outside_window" | "failed", DeliveryOutcome> = {
  sent: "sent",
  blocked: "blocked",
  outside_window: "outside_window",
  failed: "failed",
};
const TRANSIENT_ATTEMPTS = 3;

/**
 * Runs broadcasts: queues the audience in batches per channel, then sends each batch through
 * the channel's rate limit, checking before every message that the broadcast still runs, that
 * it is outside quiet hours, that the recipient is still opted in, and that the ledger has not
 * seen this recipient for this broadcast.
 */
export class BroadcastDelivery {
  private readonly statusCache = new Map<string, { at: number; b: Broadcast | null }>();
  private stopping = false;

  constructor(private readonly d: DeliveryDeps) {}

  /** Shutting down: running batches stop before their next message and wait to be run again. */
  stop(): void {
    this.stopping = true;
  }

  /** Queues the audience from the stored cursor on, page by page; stops if paused or cancelled. */
  async expand(broadcastId: string): Promise<void> {
    const { records, ledger, jobs, now } = this.d;
    let b = await records.broadcasts.get(broadcastId);
    if (!b || (b.status !== "scheduled" && b.status !== "running") || b.expanded) return;
    const wait = b.startAt ? new Date(b.startAt).getTime() - now().getTime() : 0;
    if (wait > 0) return jobs.expandIn(broadcastId, Math.min(wait, this.d.maxWaitMs));
    if (b.status === "scheduled")
      b =
        (await records.broadcasts.update(
          broadcastId,
          { status: "running", startedAt: now().toISOString(), updatedAt: now().toISOString() },
          ["scheduled"],
        )) ?? b;
    // Expansion counts as a batch of its own, so the broadcast cannot finish while it is queuing.
    await ledger.addBatches(broadcastId, ["expand"]);
    const channels = new Set(this.d.senders.keys());
    let { queued = 0, batchSeq = 0 } = b;
    for await (const { recipients, last } of audiencePages(records, b.audience, 500, b.cursor)) {
      const current = await records.broadcasts.get(broadcastId);
      if (current?.status !== "running") return; // paused or cancelled: resume continues from the cursor
      const batches: Batch[] = [];
      for (const r of recipients) {
        if (!channels.has(r.channel)) continue; // a channel this deployment does not run
        const open = batches[batches.length - 1];
        if (open && open.channel === r.channel && open.recipients.length < this.d.batchSize)
          open.recipients.push({ userId: r.userId, lang: r.lang });
        else
          batches.push({
            id: `${broadcastId}-${++batchSeq}`,
            broadcastId,
            channel: r.channel,
            recipients: [{ userId: r.userId, lang: r.lang }],
          });
      }
      await ledger.addBatches(
        broadcastId,
        batches.map((x) => x.id),
      );
      await jobs.enqueue(batches);
      queued += batches.reduce((n, x) => n + x.recipients.length, 0);
      await records.broadcasts.update(broadcastId, {
        cursor: last,
        batchSeq,
        queued,
        updatedAt: now().toISOString(),
      });
    }
    await records.broadcasts.update(broadcastId, { expanded: true, queued, updatedAt: now().toISOString() });
    if ((await ledger.finishBatch(broadcastId, "expand")) <= 0) await this.finish(broadcastId);
  }

  async batch(batch: Batch): Promise<BatchResult> {
    const sender = this.d.senders.get(batch.channel);
    if (!sender) throw new Error(`broadcast batch ${batch.id}: no sender for channel ${batch.channel}`);
    for (const r of batch.recipients) {
      const wait = await this.mustWait(batch.broadcastId);
      if (wait === "stop") break;
      if (wait > 0) return { retryInMs: wait };
      const b = (await this.broadcast(batch.broadcastId))!;
      await this.deliver(b, sender, r.userId, r.lang);
    }
    if ((await this.d.ledger.finishBatch(batch.broadcastId, batch.id)) <= 0)
      await this.finish(batch.broadcastId);
    return { done: true };
  }

  /** "stop" when the broadcast is gone, cancelled or done; else ms to wait (0: send now). */
  private async mustWait(broadcastId: string): Promise<number | "stop"> {
    const b = await this.broadcast(broadcastId);
    if (!b || b.status === "cancelled" || b.status === "done") return "stop";
    if (b.status === "paused" || this.stopping) return this.d.pausePollMs;
    const now = this.d.now();
    const quietFor = nextSendTime(now, this.d.quiet).getTime() - now.getTime();
    return quietFor > 0 ? Math.min(quietFor, this.d.maxWaitMs) : 0;
  }

  private async deliver(b: Broadcast, sender: ProactiveSender, userId: string, lang: string): Promise<void> {
    const { ledger, records, limiter } = this.d;
    const key = `${sender.channel}:${userId}`;
    // Opt-out and blocking take effect even for a broadcast already running.
    const sub = await records.subscribers.get(sender.channel, userId);
    if (!sub?.optedIn || sub.blocked) {
      metrics.broadcastMessages.inc({ channel: sender.channel, outcome: "skipped" });
      return ledger.skip(b.id, key, sub?.optedIn ? "blocked" : "opted_out");
    }
    if (!(await ledger.claim(b.id, key))) return; // already sent, or claimed by a worker that died mid-send
    const reply = renderBroadcast(
      this.d.engine,
      b,
      isLanguage(sub.lang) ? sub.lang : isLanguage(lang) ? lang : this.d.defaultLang,
      this.d.defaultLang,
    );
    const stillWanted = async () => (await this.mustWait(b.id)) === 0;
    const outcome = await sendThroughLimit(sender, limiter, userId, reply, {
      ledger,
      broadcastId: b.id,
      key,
      stillWanted,
    });
    if (outcome) {
      metrics.broadcastMessages.inc({ channel: sender.channel, outcome });
      await ledger.settle(b.id, key, outcome);
    }
  }

  async finish(broadcastId: string): Promise<void> {
    const at = this.d.now().toISOString();
    const done = await this.d.records.broadcasts.update(
      broadcastId,
      { status: "done", finishedAt: at, updatedAt: at },
      ["running"],
    );
    if (done)
      this.d.log.info(
        { broadcast: broadcastId, counts: await this.d.ledger.counts(broadcastId) },
        "broadcast: finished",
      );
  }

  /** The broadcast, cached for half a second: read before every message, so pause and cancel act fast. */
  private async broadcast(id: string): Promise<Broadcast | null> {
    const hit = this.statusCache.get(id);
    if (hit && Date.now() - hit.at < 500) return hit.b;
    const b = await this.d.records.broadcasts.get(id);
    this.statusCache.set(id, { at: Date.now(), b });
    return b;
  }
}

/** A broadcast delivery's claim in the ledger, and a check that the broadcast still runs. */
export interface Claim {
  ledger: DeliveryLedger;
  broadcastId: string;
  key: string;
  stillWanted: () => Promise<boolean>;
}

/**
 * Sends one message within the channel's rate limit. A 429 pauses the whole channel and tries
 * again; a transient error waits and tries again. With a claim: the claim is given back while
 * waiting (a crash then must not leave a false "sending"), and if the broadcast was paused or
 * cancelled meanwhile. Returns the outcome to record, or null when nothing was sent for that reason.
 */
export async function sendThroughLimit(
  sender: ProactiveSender,
  limiter: RateLimiter,
  userId: string,
  reply: Reply,
  claim?: Claim,
): Promise<DeliveryOutcome | null> {
  for (let attempt = 1; ; attempt++) {
    await limiter.take(sender.channel);
    if (claim && !(await claim.stillWanted())) {
      await claim.ledger.release(claim.broadcastId, claim.key);
      return null;
    }
    let d: Delivery;
    try {
      d = await sender.send(userId, reply);
    } catch (err) {
      d = { kind: "failed", detail: (err as Error).message };
    }
    if (d.kind === "rate_limited") {
      await limiter.pause(sender.channel, d.retryAfterMs);
      continue; // certainly not delivered; the claim stays ours
    }
    if (d.kind === "retry" && attempt < TRANSIENT_ATTEMPTS) {
      if (claim) await claim.ledger.release(claim.broadcastId, claim.key);
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      if (claim && !(await claim.ledger.claim(claim.broadcastId, claim.key))) return null;
      continue;
    }
    return OUTCOME[d.kind === "retry" ? "failed" : d.kind];
  }
}
