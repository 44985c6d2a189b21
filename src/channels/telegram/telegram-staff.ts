import type { BroadcastService } from "../../broadcasts/broadcast-service.ts";
import type { Engine } from "../../engine/engine.ts";
import { TelegramBroadcastCommands } from "./telegram-broadcast-commands.ts";
import type { Language } from "../../engine/locales.ts";
import {
  StoreUnavailableError,
  type HandoffRequest,
  type PledgeTotals,
  type Records,
} from "../../records/ports.ts";
import type { HandoffAnswer } from "../../staff/answer-handoff.ts";
import { startOfVietnamDay } from "../../time/vietnam-time.ts";

/** The short code staff answer a request by (/reply CODE …): the start of its id. */
export function handoffCode(request: HandoffRequest): string {
  return request.id.replace(/-/g, "").slice(0, 8).toLowerCase();
}

/**
 * Staff-only commands on Telegram: /stats (pledge count and total, by method and organisation,
 * today and campaign to date), /paid <reference>, /reply <code> <text> (answer a "talk to staff"
 * request), and the /bc… broadcast commands. Returns null for anything else, so the
 * message goes to the conversation as usual. Every action lands in the audit log.
 */
export class TelegramStaffCommands {
  constructor(
    private readonly staffIds: ReadonlySet<string>,
    private readonly records: Records,
    private readonly engine: Engine,
    private readonly now: () => Date,
    broadcasts: () => BroadcastService | null,
    private readonly answer: (handoff: HandoffRequest, text: string, actor: string) => Promise<HandoffAnswer>,
  ) {
    this.broadcasts = new TelegramBroadcastCommands(engine, broadcasts);
  }

  private readonly broadcasts: TelegramBroadcastCommands;

  isStaff(userId: string): boolean {
    return this.staffIds.has(userId);
  }

  async handle(userId: string, text: string, lang: Language): Promise<string | null> {
    if (!this.isStaff(userId)) return null;
    if (/^\/bc(_|\s|@|$)/i.test(text.trim())) return this.broadcasts.handle(userId, text, lang);
    if (/^\/reply(@\S+)?(\s|$)/i.test(text.trim())) return this.reply(userId, text, lang);
    const [command, arg] = text.trim().split(/\s+/, 2) as [string, string | undefined];
    const name = command.replace(/@\S+$/, "").toLowerCase();
    if (name !== "/stats" && name !== "/paid") return null;
    const t = (key: string, values: Record<string, unknown> = {}) =>
      this.engine.text(`staff.${key}`, lang, values);
    try {
      if (name === "/stats") {
        const stats = await this.statsText(lang);
        await this.records.audit.record({
          actor: `telegram:${userId}`,
          action: "stats.view",
          at: this.now().toISOString(),
        });
        return stats;
      }
      if (!arg) return t("paid_usage");
      const reference = arg.toUpperCase();
      const pledge = await this.records.pledges.setStatus(reference, "paid");
      if (!pledge) return t("paid_not_found", { reference });
      await this.records.audit.record({
        actor: `telegram:${userId}`,
        action: "pledge.mark_paid",
        target: reference,
        at: this.now().toISOString(),
      });
      return t("paid_done", { reference, amount: pledge.amount });
    } catch (err) {
      if (err instanceof StoreUnavailableError) return t("unavailable");
      throw err;
    }
  }

  /** Today's and the campaign's pledge totals, by method and organisation (/stats and the daily digest). */
  async statsText(lang: Language): Promise<string> {
    const t = (key: string, values: Record<string, unknown> = {}) =>
      this.engine.text(`staff.${key}`, lang, values);
    const [today, all] = await Promise.all([
      this.records.pledges.totals({ since: startOfVietnamDay(this.now()) }),
      this.records.pledges.totals(),
    ]);
    return t("stats", {
      today,
      all,
      byMethod: this.lines(all.byMethod, lang, t),
      byOrganisation: this.lines(all.byOrganisation, lang, t),
    });
  }

  /** /reply CODE text: answers an open "talk to staff" request through the bot (CODE from the alert). */
  private async reply(userId: string, text: string, lang: Language): Promise<string> {
    const t = (key: string, values: Record<string, unknown> = {}) =>
      this.engine.text(`staff.${key}`, lang, values);
    const m = /^\/reply(?:@\S+)?\s+(\S+)\s+([\s\S]+)$/i.exec(text.trim());
    const answer = m?.[2]?.trim();
    if (!m || !answer) return t("reply_usage");
    const code = m[1]!.toLowerCase();
    try {
      const matches = (await this.records.handoffs.open()).filter((h) => handoffCode(h) === code);
      if (matches.length !== 1) return t("reply_not_found", { code });
      const outcome = await this.answer(matches[0]!, answer.slice(0, 1800), `telegram:${userId}`);
      return outcome === "sent"
        ? t("reply_done", { code })
        : t("reply_failed", { code, outcome: t(`outcome.${outcome}`) });
    } catch (err) {
      if (err instanceof StoreUnavailableError) return t("unavailable");
      throw err;
    }
  }

  private lines(
    rows: PledgeTotals["byMethod"] | PledgeTotals["byOrganisation"],
    lang: Language,
    t: (key: string, values?: Record<string, unknown>) => string,
  ): string {
    const list = Array.isArray(rows)
      ? rows.slice(0, 10).map((r) => ({ name: r.organisation, ...r }))
      : Object.entries(rows).map(([method, r]) => ({
          name: this.engine.text(`pledge.method.${method}`, lang),
          ...r!,
        }));
    return list.length ? list.map((r) => t("stats_line", r)).join("\n") : t("stats_none");
  }
}
