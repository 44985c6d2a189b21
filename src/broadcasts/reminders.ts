import { vietnamDate } from "../actions/pledge-actions.ts";
import type { Campaign } from "../engine/campaign-schema.ts";
import { isLanguage, type Language } from "../engine/locales.ts";
import type { Reply } from "../engine/reply.ts";
import type { Pledge } from "../records/pledge.ts";
import { sendThroughLimit } from "./broadcast-delivery.ts";
import { nextSendTime } from "./quiet-hours.ts";
import type { SendingContext } from "./sending-context.ts";

export interface ReminderDeps extends SendingContext {
  campaign: Campaign;
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
    const { records, now, quiet } = this.d;
    const at = now();
    if (nextSendTime(at, quiet).getTime() > at.getTime()) return 0; // quiet hours: the morning sweep sends them
    let sent = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = (await records.pledges.dueForReminder(new Date(at.getTime() - this.d.delayMs), this.d.maxReminders, 100)).filter((p) => !seen.has(p.reference));
      if (due.length === 0) return sent;
      for (const pledge of due) {
        seen.add(pledge.reference);
        if (await this.remind(pledge, at)) sent++;
      }
    }
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
      log.info({ reference: pledge.reference, reason: sender ? "not opted in, or unreachable" : "channel off" }, "reminders: skipped");
      return false;
    }
    const lang = isLanguage(sub.lang) ? sub.lang : this.d.defaultLang;
    const outcome = await sendThroughLimit(sender, this.d.limiter, pledge.conversationId, this.render(pledge, lang));
    log.info({ reference: pledge.reference, n: (pledge.reminders ?? 0) + 1, outcome }, "reminders: reminder");
    return outcome === "sent";
  }

  /** The reminder: what was pledged, how to pay by its method (campaign data only), two buttons. */
  render(pledge: Pledge, lang: Language): Reply {
    const t = (key: string, values: Record<string, unknown> = {}) => this.d.engine.text(key, lang, values);
    const values = { slots: { amount: pledge.amount }, vars: { reference: pledge.reference } };
    const accounts = this.d.campaign.payment.bank_accounts;
    const payment =
      pledge.method === "transfer"
        ? accounts.length
          ? [t("payment.transfer_intro", values), ...accounts.map((a) => t("payment.transfer_account", { item: { ...a, note: a.note_format.replaceAll("{ref}", pledge.reference) } }))]
          : [t("payment.transfer_no_account", values)]
        : pledge.method === "sms"
          ? [t("sms.about")]
          : [t(`payment.${pledge.method}`, values)];
    const text = [t("reminder.intro", { amount: pledge.amount, reference: pledge.reference, date: vietnamDate(pledge.createdAt) }), payment.join("\n"), t("payment.office"), t("reminder.outro")].join("\n\n");
    const ref = pledge.reference.toLowerCase();
    return {
      text,
      buttons: [
        { label: t("reminder.paid_button"), payload: `flow:pledge_paid@${ref}` },
        { label: t("reminder.cancel_button"), payload: `flow:pledge_cancel@${ref}` },
      ],
    };
  }
}
