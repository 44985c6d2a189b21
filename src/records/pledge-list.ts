import type { Pledge, PledgeMethod, PledgeStatus } from "./pledge.ts";

/** Which pledges staff list: any of these statuses and methods, of one organisation, ward or donor phone (E.164), created in [since, until). */
export interface PledgeFilter {
  statuses?: PledgeStatus[];
  methods?: PledgeMethod[];
  organisation?: string;
  ward?: string;
  phone?: string;
  since?: Date;
  until?: Date;
}

/** Where a page of a staff list starts: after the last pledge of the page before (newest first). */
export interface PledgeCursor {
  createdAt: string;
  id: string;
}

export interface PledgePage {
  before?: PledgeCursor;
  limit: number;
}

/** Newest first; pledges created in the same millisecond by id, so pages never overlap or skip. */
export function newestFirst(a: Pledge, b: Pledge): number {
  return a.createdAt === b.createdAt
    ? a.id < b.id
      ? 1
      : a.id > b.id
        ? -1
        : 0
    : a.createdAt < b.createdAt
      ? 1
      : -1;
}

export function inPage(p: Pledge, filter: PledgeFilter, before?: PledgeCursor): boolean {
  if (filter.statuses?.length && !filter.statuses.includes(p.status)) return false;
  if (filter.methods?.length && !filter.methods.includes(p.method)) return false;
  if (filter.organisation !== undefined && p.organisation !== filter.organisation) return false;
  if (filter.ward !== undefined && p.ward !== filter.ward) return false;
  if (filter.phone !== undefined && p.phone !== filter.phone) return false;
  if (filter.since && p.createdAt < filter.since.toISOString()) return false;
  if (filter.until && p.createdAt >= filter.until.toISOString()) return false;
  return !before || p.createdAt < before.createdAt || (p.createdAt === before.createdAt && p.id < before.id);
}

/** One page of a list held in memory (the embedded store, the outbox). */
export function pageOf(pledges: readonly Pledge[], filter: PledgeFilter, page: PledgePage): Pledge[] {
  return pledges
    .filter((p) => inPage(p, filter, page.before))
    .sort(newestFirst)
    .slice(0, page.limit)
    .map((p) => ({ ...p }));
}
