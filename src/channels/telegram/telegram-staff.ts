import type { BroadcastService } from "../../broadcasts/broadcast-service.ts";
import type { Engine } from "../../engine/engine.ts";
import { TelegramBroadcastCommands } from "./telegram-broadcast-commands.ts";
import type { Language } from "../../engine/locales.ts";
import { StoreUnavailableError, type PledgeTotals, type Records } from "../../records/ports.ts";

/** Midnight today in Vietnam, as a Date. */
export function startOfVietnamDay(now: Date): Date {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(now);
  return new Date(`${day}T00:00:00+07:00`);
}

/**
 * Staff-only commands on Telegram: /stats (pledge count and total, by method and organisation,
 * today and campaign to date), /paid <reference>, and the /bc… broadcast commands. Returns null for anything else, so the
 * message goes to the conversation as usual. Every action lands in the audit log.
 */
export class TelegramStaffCommands {
  constructor(
    private readonly staffIds: ReadonlySet<string>,
    private readonly records: Records,
    private readonly engine: Engine,
    private readonly now: () => Date,
    broadcasts: () => BroadcastService | null = () => null,
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
    const [command, arg] = text.trim().split(/\s+/, 2) as [string, string | undefined];
    const name = command.replace(/@\S+$/, "").toLowerCase();
    if (name !== "/stats" && name !== "/paid") return null;
    const t = (key: string, values: Record<string, unknown> = {}) => this.engine.text(`staff.${key}`, lang, values);
    try {
      if (name === "/stats") {
        const [today, all] = await Promise.all([this.records.pledges.totals({ since: startOfVietnamDay(this.now()) }), this.records.pledges.totals()]);
        await this.records.audit.record({ actor: `telegram:${userId}`, action: "stats.view", at: this.now().toISOString() });
        return t("stats", { today, all, byMethod: this.lines(all.byMethod, lang, t), byOrganisation: this.lines(all.byOrganisation, lang, t) });
      }
      if (!arg) return t("paid_usage");
      const reference = arg.toUpperCase();
      const pledge = await this.records.pledges.setStatus(reference, "paid");
      if (!pledge) return t("paid_not_found", { reference });
      await this.records.audit.record({ actor: `telegram:${userId}`, action: "pledge.mark_paid", target: reference, at: this.now().toISOString() });
      return t("paid_done", { reference, amount: pledge.amount });
    } catch (err) {
      if (err instanceof StoreUnavailableError) return t("unavailable");
      throw err;
    }
  }

  private lines(rows: PledgeTotals["byMethod"] | PledgeTotals["byOrganisation"], lang: Language, t: (key: string, values?: Record<string, unknown>) => string): string {
    const list = Array.isArray(rows)
      ? rows.slice(0, 10).map((r) => ({ name: r.organisation, ...r }))
      : Object.entries(rows).map(([method, r]) => ({ name: this.engine.text(`pledge.method.${method}`, lang), ...r! }));
    return list.length ? list.map((r) => t("stats_line", r)).join("\n") : t("stats_none");
  }
}
