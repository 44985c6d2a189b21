import { vietnamDate } from "../time/vietnam-time.ts";
import { isLanguage, type Language } from "../engine/locales.ts";
import type { Reply } from "../engine/reply.ts";
import { oneMessage } from "../channels/reply-text.ts";
import type { Pledge } from "../records/pledge.ts";
import { sendThroughLimit } from "./broadcast-delivery.ts";
import { nextSendTime } from "./quiet-hours.ts";
import type { SendingContext } from "./sending-context.ts";

export interface ReminderDeps extends SendingContext {
  /** Time after the pledge (then after each reminder) before the next reminder. */
  delayMs: number;
  maxReminders: number;
}

/**
 * Payment reminders for unpaid pledges. All state is on the pledge (how many sent, when the
 * last went), so a sweep after a restart finds what is due again; each reminder is claimed on
 * the pledge before it is sent, so two sweeps (two processes) never send the same one twice.
 */
export class Reminders {
  constructor(private readonly d: ReminderDeps) {}

  /** Sends what is due now; returns how many reminders went out. */
  async sweep(): Promise<number> {
    const { records, now } = this.d;
    const at = now();
    if (this.quietNow()) return 0; // quiet hours: the morning sweep sends them
    let sent = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = (
        await records.pledges.dueForReminder(
          new Date(at.getTime() - this.d.delayMs),
          this.d.maxReminders,
          100,
        )
      ).filter((p) => !seen.has(p.reference));
      if (due.length === 0) return sent;
      for (const pledge of due) {
        // Per message, not once per sweep: a long sweep (rate limit) must stop at quiet hours.
        if (this.quietNow()) return sent;
        seen.add(pledge.reference);
        if (await this.remind(pledge, at)) sent++;
      }
    }
  }

  private quietNow(): boolean {
    const t = this.d.now();
    return nextSendTime(t, this.d.quiet).getTime() > t.getTime();
  }

  private async remind(pledge: Pledge, at: Date): Promise<boolean> {
    const { records, log } = this.d;
    const sender = this.d.senders.get(pledge.channel);
    const userId = pledge.userKey.slice(pledge.channel.length + 1);
    // Claimed first, even when it will not be sent, so the sweep moves on and never doubles it.
    if (!(await records.pledges.claimReminder(pledge.reference, pledge.reminders ?? 0, at))) return false;
    // Like broadcasts: only people who said yes to messages (the pledge flow asks, naming
    // reminders) and can be reached. Declining the offer, or "stop" later, means no reminder.
    const sub = await records.subscribers.get(pledge.channel, userId);
    if (!sender || !sub?.optedIn || sub.blocked || sub.unreachable) {
      log.info(
        { reference: pledge.reference, reason: sender ? "not opted in, or unreachable" : "channel off" },
        "reminders: skipped",
      );
      return false;
    }
    const lang = isLanguage(sub.lang) ? sub.lang : this.d.defaultLang;
    const outcome = await sendThroughLimit(
      sender,
      this.d.limiter,
      pledge.conversationId,
      await this.render(pledge, userId, lang),
    );
    log.info({ reference: pledge.reference, n: (pledge.reminders ?? 0) + 1, outcome }, "reminders: reminder");
    if (outcome === "sent") await records.pledges.countReminderSent(pledge.reference);
    return outcome === "sent";
  }

  /** The reminder, as flows/reminder.yaml says it (reminder_message), in one message. */
  private async render(pledge: Pledge, userId: string, lang: Language): Promise<Reply> {
    const replies = await this.d.engine.render(
      "reminder_message",
      lang,
      { channel: pledge.channel, userId, conversationId: pledge.conversationId },
      {
        slots: { amount: pledge.amount, method: pledge.method },
        vars: { reference: pledge.reference, date: vietnamDate(pledge.createdAt) },
      },
    );
    return oneMessage(replies);
  }
}
