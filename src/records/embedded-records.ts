import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Broadcast, BroadcastStatus } from "../broadcasts/broadcast.ts";
import { JsonFileCollection } from "./json-file-collection.ts";
import { checkPledge, pledgeIdFor, type NewPledge, type Pledge, type PledgeStatus } from "./pledge.ts";
import { totalsOf } from "./pledge-totals.ts";
import { pageOf, type PledgeFilter, type PledgePage } from "./pledge-list.ts";
import type {
  AudienceFilter,
  AuditEntry,
  BroadcastRepository,
  AuditLog,
  ConsentRecord,
  ConsentRepository,
  HandoffRepository,
  HandoffRequest,
  PledgeRepository,
  PledgeTotals,
  Records,
  Subscriber,
  SubscriberRepository,
} from "./ports.ts";
import { newReferenceCode } from "./reference-code.ts";

/** Embedded pledges: memory, or a JSON file under DATA_DIR so pledges survive a restart. */
export class EmbeddedPledgeRepository implements PledgeRepository {
  private readonly docs: JsonFileCollection<Pledge>;

  constructor(
    path: string | null,
    private readonly referencePrefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.docs = new JsonFileCollection(path);
  }

  async create(input: NewPledge, preferred?: string): Promise<{ pledge: Pledge; created: boolean }> {
    const existing = this.docs.find((p) => p.idempotencyKey === input.idempotencyKey);
    if (existing) return { pledge: existing, created: false };
    let reference = preferred ?? newReferenceCode(this.referencePrefix);
    while (this.docs.find((p) => p.reference === reference))
      reference = newReferenceCode(this.referencePrefix);
    const at = this.now().toISOString();
    const pledge = checkPledge({
      ...input,
      id: pledgeIdFor(input.idempotencyKey),
      reference,
      status: "pledged",
      createdAt: at,
      updatedAt: at,
    });
    await this.docs.mutate((docs) => docs.push(pledge));
    return { pledge, created: true };
  }

  async listByUser(userKey: string): Promise<Pledge[]> {
    return this.docs
      .filter((p) => p.userKey === userKey)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async list(filter: PledgeFilter, page: PledgePage): Promise<Pledge[]> {
    return pageOf(this.docs.all(), filter, page);
  }

  async findByReference(reference: string): Promise<Pledge | null> {
    return this.docs.find((p) => p.reference === reference.toUpperCase()) ?? null;
  }

  async setStatus(reference: string, status: PledgeStatus): Promise<Pledge | null> {
    return this.docs.mutate(() => {
      const pledge = this.docs.find((p) => p.reference === reference.toUpperCase());
      if (!pledge) return null;
      pledge.status = status;
      pledge.updatedAt = this.now().toISOString();
      return pledge;
    });
  }

  async totals(range?: { since?: Date; until?: Date }): Promise<PledgeTotals> {
    return totalsOf(this.docs.all(), range);
  }

  async dueForReminder(quietSince: Date, maxReminders: number, limit: number): Promise<Pledge[]> {
    const cut = quietSince.toISOString();
    return this.docs
      .filter(
        (p) =>
          p.status === "pledged" &&
          (p.reminders ?? 0) < maxReminders &&
          (p.lastRemindedAt ?? p.createdAt) <= cut,
      )
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit)
      .map((p) => ({ ...p }));
  }

  async claimReminder(reference: string, sent: number, at: Date): Promise<boolean> {
    const pledge = this.docs.find((p) => p.reference === reference.toUpperCase());
    if (!pledge || pledge.status !== "pledged" || (pledge.reminders ?? 0) !== sent) return false;
    await this.docs.mutate(() =>
      Object.assign(pledge, { reminders: sent + 1, lastRemindedAt: at.toISOString() }),
    );
    return true;
  }

  async countReminderSent(reference: string): Promise<void> {
    const pledge = this.docs.find((p) => p.reference === reference.toUpperCase());
    if (pledge) await this.docs.mutate(() => (pledge.remindersSent = (pledge.remindersSent ?? 0) + 1));
  }

  async statusesByUser(userKeys: string[]): Promise<Map<string, Set<PledgeStatus>>> {
    const wanted = new Set(userKeys);
    const out = new Map<string, Set<PledgeStatus>>();
    for (const p of this.docs.all())
      if (wanted.has(p.userKey)) out.set(p.userKey, (out.get(p.userKey) ?? new Set()).add(p.status));
    return out;
  }

  async erasePersonalData(userKey: string): Promise<number> {
    return this.docs.mutate(() => {
      let changed = 0;
      for (const p of this.docs.filter((d) => d.userKey === userKey)) {
        if (
          p.name === undefined &&
          p.phone === undefined &&
          p.organisation === undefined &&
          p.ward === undefined
        )
          continue;
        delete p.name;
        delete p.phone;
        delete p.organisation;
        delete p.ward;
        p.updatedAt = this.now().toISOString();
        changed++;
      }
      return changed;
    });
  }
}

export class EmbeddedSubscriberRepository implements SubscriberRepository {
  private readonly docs: JsonFileCollection<Subscriber>;

  constructor(path: string | null) {
    this.docs = new JsonFileCollection(path);
  }

  private change<R>(fn: (docs: Subscriber[]) => R): Promise<R> {
    this.sorted = null;
    return this.docs.mutate(fn);
  }

  async get(channel: string, userId: string): Promise<Subscriber | null> {
    return this.docs.find((s) => s.channel === channel && s.userId === userId) ?? null;
  }

  /** Subscribers in `channel:userId` order, rebuilt after a change: paging 100k is a binary search and a short scan. */
  private sorted: Array<{ key: string; sub: Subscriber }> | null = null;

  async audience(filter: AudienceFilter, page: { after?: string; limit: number }): Promise<Subscriber[]> {
    this.sorted ??= this.docs
      .all()
      .map((sub) => ({ key: `${sub.channel}:${sub.userId}`, sub }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const sorted = this.sorted;
    let i = 0;
    if (page.after !== undefined) {
      let hi = sorted.length;
      while (i < hi) {
        const mid = (i + hi) >> 1;
        if (sorted[mid]!.key <= page.after) i = mid + 1;
        else hi = mid;
      }
    }
    const out: Subscriber[] = [];
    for (; i < sorted.length && out.length < page.limit; i++) {
      const s = sorted[i]!.sub;
      if (
        s.optedIn &&
        !s.blocked &&
        !s.unreachable &&
        inList(filter.channels, s.channel) &&
        inList(filter.langs, s.lang) &&
        inList(filter.organisations, s.organisation)
      )
        out.push({ ...s });
    }
    return out;
  }

  async setOptIn(
    channel: string,
    userId: string,
    optedIn: boolean,
    lang: string,
    at: Date,
    organisation?: string,
  ): Promise<Subscriber> {
    return this.change((docs) => {
      let sub = docs.find((s) => s.channel === channel && s.userId === userId);
      if (!sub) {
        sub = { channel, userId, lang, optedIn, optedAt: at.toISOString(), blocked: false };
        docs.push(sub);
      } else {
        Object.assign(sub, { optedIn, lang, optedAt: at.toISOString() });
      }
      if (organisation) sub.organisation = organisation;
      return { ...sub };
    });
  }

  async setLanguage(channel: string, userId: string, lang: string): Promise<void> {
    const known = this.docs.find((s) => s.channel === channel && s.userId === userId);
    if (!known || known.lang === lang) return;
    await this.change((docs) => {
      const sub = docs.find((s) => s.channel === channel && s.userId === userId);
      if (sub) sub.lang = lang;
    });
  }

  async setBlocked(channel: string, userId: string, blocked: boolean): Promise<void> {
    await this.change((docs) => {
      const sub = docs.find((s) => s.channel === channel && s.userId === userId);
      if (sub) sub.blocked = blocked;
    });
  }

  async setUnreachable(
    channel: string,
    userId: string,
    reason: Subscriber["unreachable"] | null,
    at: Date,
  ): Promise<void> {
    const sub = this.docs.find((s) => s.channel === channel && s.userId === userId);
    if (!sub || (reason === null && sub.unreachable === undefined)) return; // nothing to change, no write
    await this.change(() => {
      if (reason) Object.assign(sub, { unreachable: reason, unreachableAt: at.toISOString() });
      else {
        delete sub.unreachable;
        delete sub.unreachableAt;
      }
    });
  }

  async forget(channel: string, userId: string): Promise<boolean> {
    return this.change((docs) => {
      const i = docs.findIndex((s) => s.channel === channel && s.userId === userId);
      if (i >= 0) docs.splice(i, 1);
      return i >= 0;
    });
  }
}

export class EmbeddedConsentRepository implements ConsentRepository {
  private readonly docs: JsonFileCollection<ConsentRecord>;

  constructor(path: string | null) {
    this.docs = new JsonFileCollection(path);
  }

  async record(input: Omit<ConsentRecord, "id" | "withdrawnAt">): Promise<ConsentRecord> {
    const record: ConsentRecord = { ...input, id: randomUUID() };
    await this.docs.mutate((docs) => docs.push(record));
    return record;
  }

  async listByUser(userKey: string): Promise<ConsentRecord[]> {
    return this.docs.filter((c) => c.userKey === userKey);
  }

  async withdrawAll(userKey: string, at: Date): Promise<number> {
    return this.docs.mutate((docs) => {
      const open = docs.filter((c) => c.userKey === userKey && !c.withdrawnAt);
      for (const c of open) c.withdrawnAt = at.toISOString();
      return open.length;
    });
  }
}

export class EmbeddedHandoffRepository implements HandoffRepository {
  private readonly docs: JsonFileCollection<HandoffRequest>;

  constructor(path: string | null) {
    this.docs = new JsonFileCollection(path);
  }

  async request(input: Omit<HandoffRequest, "id">): Promise<HandoffRequest> {
    const req: HandoffRequest = { ...input, id: randomUUID() };
    await this.docs.mutate((docs) => docs.push(req));
    return req;
  }

  async open(): Promise<HandoffRequest[]> {
    return this.docs.filter((h) => !h.answeredAt).map((h) => ({ ...h }));
  }

  async get(id: string): Promise<HandoffRequest | null> {
    const h = this.docs.find((x) => x.id === id);
    return h ? { ...h } : null;
  }

  async markAnswered(id: string, at: Date): Promise<void> {
    await this.docs.mutate((docs) => {
      const h = docs.find((x) => x.id === id);
      if (h) h.answeredAt = at.toISOString();
    });
  }

  async forget(userKey: string): Promise<number> {
    return this.docs.mutate((docs) => {
      const before = docs.length;
      const kept = docs.filter((h) => h.userKey !== userKey);
      docs.splice(0, docs.length, ...kept);
      return before - kept.length;
    });
  }
}

export class EmbeddedAuditLog implements AuditLog {
  private readonly docs: JsonFileCollection<AuditEntry>;

  constructor(path: string | null) {
    this.docs = new JsonFileCollection(path);
  }

  async record(entry: Omit<AuditEntry, "id">): Promise<AuditEntry> {
    const saved: AuditEntry = { ...entry, id: randomUUID() };
    await this.docs.mutate((docs) => docs.push(saved));
    return saved;
  }

  async list(limit: number): Promise<AuditEntry[]> {
    return [...this.docs.all()].sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
  }
}

export class EmbeddedBroadcastRepository implements BroadcastRepository {
  private readonly docs: JsonFileCollection<Broadcast>;

  constructor(path: string | null) {
    this.docs = new JsonFileCollection(path);
  }

  async create(broadcast: Broadcast): Promise<Broadcast> {
    await this.docs.mutate((docs) => docs.push(structuredClone(broadcast)));
    return structuredClone(broadcast);
  }

  async get(id: string): Promise<Broadcast | null> {
    const b = this.docs.find((x) => x.id === id);
    return b ? structuredClone(b) : null;
  }

  async list(limit: number): Promise<Broadcast[]> {
    return [...this.docs.all()]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit)
      .map((b) => structuredClone(b));
  }

  async update(
    id: string,
    patch: Partial<Omit<Broadcast, "id">>,
    ifStatus?: BroadcastStatus[],
  ): Promise<Broadcast | null> {
    const b = this.docs.find((x) => x.id === id);
    if (!b || (ifStatus && !ifStatus.includes(b.status))) return null;
    await this.docs.mutate(() => Object.assign(b, structuredClone(patch)));
    return structuredClone(b);
  }
}

function inList(list: string[] | undefined, value: string | undefined): boolean {
  return list === undefined || (value !== undefined && list.includes(value));
}

/** All embedded repositories, in memory (dataDir null) or under DATA_DIR. */
export function embeddedRecords(dataDir: string | null, referencePrefix: string, now?: () => Date): Records {
  const file = (name: string) => (dataDir ? join(dataDir, `${name}.json`) : null);
  return {
    pledges: new EmbeddedPledgeRepository(file("pledges"), referencePrefix, now),
    broadcasts: new EmbeddedBroadcastRepository(file("broadcasts")),
    subscribers: new EmbeddedSubscriberRepository(file("subscribers")),
    consents: new EmbeddedConsentRepository(file("consents")),
    handoffs: new EmbeddedHandoffRepository(file("handoffs")),
    audit: new EmbeddedAuditLog(file("audit")),
    ping: async () => true,
    close: async () => {},
  };
}
