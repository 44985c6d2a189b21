import type { Action } from "../engine/action.ts";
import type { PledgeTotals, Records } from "../records/ports.ts";

/** Totals are an aggregation over every pledge: one per minute per process is plenty for "how far are we?". */
const FRESH_MS = 60_000;

/**
 * "Đã quyên góp được bao nhiêu?": the pledges made through this assistant so far (cancelled ones
 * left out), into vars.totals_count and vars.totals_amount. The copy says they are pledges made
 * here, not the fund's total, which only the campaign board publishes.
 */
export function pledgeProgress(records: Records): Action {
  let cached: { at: number; totals: Promise<PledgeTotals> } | null = null;
  return async ({ session }) => {
    if (!cached || Date.now() - cached.at > FRESH_MS) {
      const totals = records.pledges.totals();
      cached = { at: Date.now(), totals };
      totals.catch(() => (cached = null)); // a failed read is not remembered
    }
    const { count, amount } = await cached.totals;
    session.vars.totals_count = count;
    session.vars.totals_amount = amount;
  };
}
