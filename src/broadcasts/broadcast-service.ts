import { randomBytes } from "node:crypto";
import type { Engine } from "../engine/engine.ts";
import { LANGUAGES, isLanguage, type Language } from "../engine/locales.ts";
import type { Reply } from "../engine/reply.ts";
import { audiencePages } from "./audience.ts";
import { TRANSITIONS, type Broadcast, type BroadcastCommand, type BroadcastInput } from "./broadcast.ts";
import { broadcastProblems, renderBroadcast } from "./broadcast-render.ts";
import { sendThroughLimit } from "./broadcast-delivery.ts";
import type { DeliveryLedger, DeliveryOutcome, DeliveryState } from "./delivery-ledger.ts";
import type { BroadcastJobs } from "./jobs.ts";
import type { SendingContext } from "./sending-context.ts";

/**
 * A staff request that cannot be done, with the HTTP status that says why, and a code and values
 * so staff read it in their language (locales/<lang>/staff.json, bc.refused_because.<code>).
 */
export class BroadcastError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    message: string,
    readonly code: "invalid" | "not_found" | "channel_off" | "wrong_status" | "nothing_to_resend",
    readonly values: Record<string, string> = {},
  ) {
    super(message);
    this.name = "BroadcastError";
  }

  /** The reason in a staff member's language. */
  text(engine: Pick<Engine, "text">, lang: Language): string {
    const status = (s: string) => engine.text(`staff.bc.status.${s}`, lang);
    const v = this.values;
    return engine.text(`staff.bc.refused_because.${this.code}`, lang, {
      ...v,
      ...(v.status ? { status: status(v.status) } : {}),
      ...(v.from ? { from: v.from.split(",").map(status).join(", ") } : {}),
      ...(v.command ? { command: engine.text(`staff.bc.command.${v.command}`, lang) } : {}),
    });
  }
}

export interface BroadcastReport {
  status: Broadcast["status"];
  queued: number;
  /** Whole audience queued. */
  expanded: boolean;
  sent: number;
  failed: number;
  blocked: number;
  outsideWindow: number;
  optedOut: number;
  /** Claimed by a worker that died before the platform answered: not resent, may or may not have arrived. */
  unconfirmed: number;
  /** Queued and not yet handled (or never, once cancelled). */
  pending: number;
}

export interface Preview {
  messages: Partial<Record<Language, Reply>>;
  recipients: { total: number; byChannel: Record<string, number>; byLang: Record<string, number> };
}

export interface BroadcastServiceDeps extends SendingContext {
  ledger: DeliveryLedger;
  jobs: BroadcastJobs;
}

/** What staff do with broadcasts (admin API and Telegram commands); each change is audited. */
export class BroadcastService {
  constructor(private readonly d: BroadcastServiceDeps) {}

  private check(input: BroadcastInput): void {
    const problems = broadcastProblems(this.d.engine, input);
    const unknown = (input.audience.channels ?? []).filter((c) => !this.d.senders.has(c));
    if (unknown.length)
      problems.push(
        `channel(s) not running here: ${unknown.join(", ")} (running: ${[...this.d.senders.keys()].join(", ") || "none"})`,
      );
    if (problems.length)
      throw new BroadcastError(422, problems.join("; "), "invalid", { problems: problems.join("; ") });
  }

  async create(input: BroadcastInput, actor: string): Promise<Broadcast> {
    this.check(input);
    const at = this.d.now().toISOString();
    const b: Broadcast = {
      ...input,
      id: `bc${randomBytes(5).toString("hex")}`,
      status: "draft",
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
    };
    await this.d.records.broadcasts.create(b);
    await this.audit(actor, "broadcast.create", b.id, { title: b.title, audience: b.audience });
    return b;
  }

  async get(id: string): Promise<Broadcast> {
    const b = await this.d.records.broadcasts.get(id);
    if (!b) throw new BroadcastError(404, `no broadcast ${id}`, "not_found", { id });
    return b;
  }

  /** Changes a draft's text, buttons, links or audience (only while it is a draft). */
  async edit(id: string, input: BroadcastInput, actor: string): Promise<Broadcast> {
    this.check(input);
    const b = await this.d.records.broadcasts.update(
      id,
      { ...input, updatedAt: this.d.now().toISOString() },
      ["draft"],
    );
    if (!b) {
      const current = await this.get(id);
      throw new BroadcastError(409, `cannot edit broadcast ${id}: it is ${current.status}`, "wrong_status", {
        id,
        command: "edit",
        status: current.status,
        from: "draft",
      });
    }
    await this.audit(actor, "broadcast.edit", id, { title: b.title, audience: b.audience });
    return b;
  }

  /** A new draft with another broadcast's text, buttons, links and audience. */
  async copy(id: string, actor: string): Promise<Broadcast> {
    const { title, message, buttons, links, audience } = await this.get(id);
    return this.create({ title, message, buttons, links, audience }, actor);
  }

  /** Who would get a broadcast to this audience now, in total, per channel and per language. */
  async recipients(audience: BroadcastInput["audience"]): Promise<Preview["recipients"]> {
    const recipients = {
      total: 0,
      byChannel: {} as Record<string, number>,
      byLang: {} as Record<string, number>,
    };
    for await (const { recipients: page } of audiencePages(this.d.records, audience, 1_000)) {
      for (const r of page) {
        if (!this.d.senders.has(r.channel)) continue;
        recipients.total++;
        recipients.byChannel[r.channel] = (recipients.byChannel[r.channel] ?? 0) + 1;
        recipients.byLang[r.lang] = (recipients.byLang[r.lang] ?? 0) + 1;
      }
    }
    return recipients;
  }

  list(limit = 20): Promise<Broadcast[]> {
    return this.d.records.broadcasts.list(limit);
  }

  /** The exact message per language and who would get it now. */
  async preview(id: string, actor: string): Promise<Preview> {
    const b = await this.get(id);
    const langs = b.audience.langs ?? LANGUAGES;
    const messages = Object.fromEntries(
      langs.map((lang) => [lang, renderBroadcast(this.d.engine, b, lang, this.d.defaultLang)]),
    );
    const recipients = await this.recipients(b.audience);
    await this.audit(actor, "broadcast.preview", id, { recipients: recipients.total });
    return { messages, recipients };
  }

  /** Sends the broadcast to one staff member (not recorded as a delivery). */
  async testSend(
    id: string,
    to: { channel: string; userId: string; lang?: Language },
    actor: string,
  ): Promise<DeliveryOutcome | null> {
    const b = await this.get(id);
    const sender = this.d.senders.get(to.channel);
    if (!sender)
      throw new BroadcastError(422, `channel ${to.channel} is not running here`, "channel_off", {
        channel: to.channel,
      });
    const sub = await this.d.records.subscribers.get(to.channel, to.userId);
    const lang = to.lang ?? (sub && isLanguage(sub.lang) ? sub.lang : this.d.defaultLang);
    const outcome = await sendThroughLimit(
      sender,
      this.d.limiter,
      to.userId,
      renderBroadcast(this.d.engine, b, lang, this.d.defaultLang),
    );
    await this.audit(actor, "broadcast.test", id, { channel: to.channel, outcome });
    return outcome;
  }

  /** Starts now, or at `at` (sending still waits out quiet hours). */
  async start(id: string, actor: string, at?: Date): Promise<Broadcast> {
    const now = this.d.now();
    const later = at && at.getTime() > now.getTime();
    const b = await this.change(id, "start", {
      status: later ? "scheduled" : "running",
      startAt: (at ?? now).toISOString(),
      ...(later ? {} : { startedAt: now.toISOString() }),
    });
    await this.d.jobs.expandIn(id, 0); // expand waits for startAt itself
    await this.audit(actor, later ? "broadcast.schedule" : "broadcast.start", id, { startAt: b.startAt });
    return b;
  }

  async pause(id: string, actor: string): Promise<Broadcast> {
    const b = await this.change(id, "pause", { status: "paused" });
    await this.audit(actor, "broadcast.pause", id);
    return b;
  }

  async resume(id: string, actor: string): Promise<Broadcast> {
    let b = await this.change(id, "resume", { status: "running" });
    if (!b.expanded)
      await this.d.jobs.expandIn(id, 0); // queuing stopped at the pause; go on from the cursor
    else if ((await this.d.ledger.batchesLeft(id)) <= 0) {
      // The last batch finished during the pause, when it could not mark the broadcast done.
      const at = this.d.now().toISOString();
      b =
        (await this.d.records.broadcasts.update(id, { status: "done", finishedAt: at, updatedAt: at }, [
          "running",
        ])) ?? b;
    }
    await this.audit(actor, "broadcast.resume", id);
    return b;
  }

  async cancel(id: string, actor: string): Promise<Broadcast> {
    const b = await this.change(id, "cancel", {
      status: "cancelled",
      finishedAt: this.d.now().toISOString(),
    });
    await this.audit(actor, "broadcast.cancel", id);
    return b;
  }

  async report(id: string): Promise<BroadcastReport> {
    const b = await this.get(id);
    const c = await this.d.ledger.counts(id);
    const n = (k: keyof typeof c) => Math.max(0, c[k] ?? 0);
    const handled =
      n("sending") + n("sent") + n("failed") + n("blocked") + n("outside_window") + n("opted_out");
    const finished = b.status === "done" || b.status === "cancelled";
    return {
      status: b.status,
      queued: b.queued ?? 0,
      expanded: b.expanded ?? false,
      sent: n("sent"),
      failed: n("failed"),
      blocked: n("blocked"),
      outsideWindow: n("outside_window"),
      optedOut: n("opted_out"),
      unconfirmed: finished ? n("sending") : 0,
      pending: Math.max(0, (b.queued ?? 0) - handled),
    };
  }

  /**
   * Who did not get a finished broadcast for sure: failed, blocked, outside the window, opted out
   * and (once it ended) unconfirmed, each with their language, at most `limit`.
   */
  async problemRecipients(
    id: string,
    limit: number,
  ): Promise<Array<{ channel: string; userId: string; lang?: string; outcome: string }>> {
    const b = await this.get(id);
    const finished = b.status === "done" || b.status === "cancelled";
    const states: DeliveryState[] = ["failed", "blocked", "outside_window", "opted_out"];
    if (finished) states.push("sending");
    const rows = await this.d.ledger.recipientsIn(id, states, limit);
    return Promise.all(
      rows.map(async ({ recipient, state }) => {
        const at = recipient.indexOf(":");
        const channel = recipient.slice(0, at);
        const userId = recipient.slice(at + 1);
        const sub = await this.d.records.subscribers.get(channel, userId);
        return { channel, userId, lang: sub?.lang, outcome: state === "sending" ? "unconfirmed" : state };
      }),
    );
  }

  /**
   * A new draft with a finished broadcast's content for its unconfirmed recipients only (a
   * sender stopped before the platform answered): staff decide whether a second message is
   * better than none, preview it and start it like any other.
   */
  async resendUnconfirmed(id: string, actor: string): Promise<Broadcast> {
    const b = await this.get(id);
    if (b.status !== "done" && b.status !== "cancelled")
      throw new BroadcastError(409, `cannot resend broadcast ${id}: it is ${b.status}`, "wrong_status", {
        id,
        command: "resend",
        status: b.status,
        from: "done,cancelled",
      });
    const unconfirmed = await this.d.ledger.recipientsIn(id, ["sending"], 5_000);
    if (unconfirmed.length === 0)
      throw new BroadcastError(422, `broadcast ${id} has no unconfirmed recipients`, "nothing_to_resend", {
        id,
      });
    const { title, message, buttons, links } = b;
    return this.create(
      {
        title: `${title} ↻`.slice(0, 120),
        message,
        buttons,
        links,
        audience: { recipients: unconfirmed.map((u) => u.recipient) },
      },
      actor,
    );
  }

  /** Embedded mode after a restart: unfinished broadcasts are queued again (the ledger skips who got them). */
  async recover(): Promise<number> {
    const open = (await this.d.records.broadcasts.list(1_000)).filter(
      (b) => b.status === "scheduled" || b.status === "running",
    );
    for (const b of open) {
      await this.d.records.broadcasts.update(b.id, {
        cursor: undefined,
        batchSeq: 0,
        queued: 0,
        expanded: false,
      });
      await this.d.jobs.expandIn(b.id, 0);
    }
    return open.length;
  }

  private async change(id: string, command: BroadcastCommand, patch: Partial<Broadcast>): Promise<Broadcast> {
    const from = TRANSITIONS[command] as readonly Broadcast["status"][];
    const b = await this.d.records.broadcasts.update(
      id,
      { ...patch, updatedAt: this.d.now().toISOString() },
      [...from],
    );
    if (b) return b;
    const current = await this.get(id);
    throw new BroadcastError(
      409,
      `cannot ${command} broadcast ${id}: it is ${current.status} (${command} works from ${from.join(", ")})`,
      "wrong_status",
      { id, command, status: current.status, from: from.join(",") },
    );
  }

  private async audit(
    actor: string,
    action: string,
    target: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    await this.d.records.audit.record({ actor, action, target, details, at: this.d.now().toISOString() });
  }
}
