import type { Pledge } from "./pledge.ts";
import type { PledgeTotals, TotalsRow } from "./ports.ts";

/** Totals of a list of pledges (the embedded store, and the outbox), cancelled ones excluded. */
export function totalsOf(
  pledges: readonly Pledge[],
  range: { since?: Date; until?: Date } = {},
): PledgeTotals {
  const since = range.since?.toISOString();
  const until = range.until?.toISOString();
  const totals: PledgeTotals = { count: 0, amount: 0, byMethod: {}, byOrganisation: [], byWard: [] };
  const byOrg = new Map<string, TotalsRow>();
  const byWard = new Map<string, TotalsRow>();
  for (const p of pledges) {
    if (p.status === "cancelled" || (since && p.createdAt < since) || (until && p.createdAt >= until))
      continue;
    totals.count++;
    totals.amount += p.amount;
    const m = (totals.byMethod[p.method] ??= { count: 0, amount: 0 });
    m.count++;
    m.amount += p.amount;
    if (p.organisation) {
      const o = byOrg.get(p.organisation) ?? { count: 0, amount: 0 };
      o.count++;
      o.amount += p.amount;
      byOrg.set(p.organisation, o);
    }
    if (p.ward) {
      const w = byWard.get(p.ward) ?? { count: 0, amount: 0 };
      w.count++;
      w.amount += p.amount;
      byWard.set(p.ward, w);
    }
  }
  totals.byOrganisation = [...byOrg]
    .map(([organisation, row]) => ({ organisation, ...row }))
    .sort((a, b) => b.amount - a.amount || a.organisation.localeCompare(b.organisation));
  totals.byWard = [...byWard]
    .map(([ward, row]) => ({ ward, ...row }))
    .sort((a, b) => b.amount - a.amount || a.ward.localeCompare(b.ward));
  return totals;
}
