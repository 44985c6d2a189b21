import { randomUUID } from "node:crypto";
import type { Model, PipelineStage } from "mongoose";
import type { Broadcast, BroadcastStatus } from "../../broadcasts/broadcast.ts";
import {
  checkPledge,
  pledgeIdFor,
  type NewPledge,
  type Pledge,
  type PledgeMethod,
  type PledgeStatus,
} from "../pledge.ts";
import type {
  AudienceFilter,
  AuditEntry,
  AuditLog,
  BroadcastRepository,
  ConsentRecord,
  ConsentRepository,
  HandoffRepository,
  HandoffRequest,
  PledgeRepository,
  PledgeTotals,
  Records,
  Subscriber,
  SubscriberRepository,
  TotalsRow,
} from "../ports.ts";
import { newReferenceCode } from "../reference-code.ts";
import type { PledgeFilter, PledgePage } from "../pledge-list.ts";
import { isDuplicateKey, type MongoConnection } from "./mongo-connection.ts";

/** A lean document as stored: our id in _id, no null fields. */
function fromDoc<T>(doc: Record<string, unknown> | null): T | null {
  if (!doc) return null;
  const { _id, ...rest } = doc;
  const out: Record<string, unknown> = { id: _id };
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined) out[k] = v;
  return out as T;
}

function toDoc<T extends { id: string }>(value: T): Record<string, unknown> {
  const { id, ...rest } = value;
  return { _id: id, ...rest };
}

export class MongoPledgeRepository implements PledgeRepository {
  constructor(
    private readonly db: MongoConnection,
    private readonly referencePrefix: string,
    private readonly now: () => Date,
  ) {}

  async create(input: NewPledge, reference?: string): Promise<{ pledge: Pledge; created: boolean }> {
    const at = this.now().toISOString();
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = attempt === 0 && reference ? reference : newReferenceCode(this.referencePrefix);
      const pledge: Pledge = {
        ...input,
        id: pledgeIdFor(input.idempotencyKey),
        reference: code,
        status: "pledged",
        createdAt: at,
        updatedAt: at,
      };
      if (await this.insert(pledge)) return { pledge, created: true };
      const existing = await this.byIdempotencyKey(input.idempotencyKey);
      if (existing) return { pledge: existing, created: false };
      // Otherwise the reference collided: try another.
    }
    throw new Error("mongodb pledges: could not find a free reference code in 5 attempts");
  }

  /**
   * Inserts a complete pledge (also from the outbox); false when it is already there. Checked by
   * checkPledge and written with the driver's insertOne: a mongoose document per pledge cost the
   * bot 0.08 ms of CPU per save (0.30 against 0.22 ms, bench/README.md).
   */
  insert(pledge: Pledge): Promise<boolean> {
    const doc = toDoc(stripUndefined(checkPledge(pledge)));
    return insertOnce(this.db, "pledges.insert", () => this.db.models.Pledge.collection.insertOne(doc));
  }

  async byIdempotencyKey(key: string): Promise<Pledge | null> {
    return this.db.run("pledges.find", async () =>
      fromDoc<Pledge>(await this.db.models.Pledge.findById(pledgeIdFor(key)).lean()),
    );
  }

  async listByUser(userKey: string): Promise<Pledge[]> {
    return this.db.run("pledges.list", async () =>
      (await this.db.models.Pledge.find({ userKey }).sort({ createdAt: 1 }).lean()).map((d) =>
        fromDoc<Pledge>(d)!,
      ),
    );
  }

  async list(filter: PledgeFilter, page: PledgePage): Promise<Pledge[]> {
    const and: Array<Record<string, unknown>> = [];
    if (filter.statuses?.length) and.push({ status: { $in: filter.statuses } });
    if (filter.methods?.length) and.push({ method: { $in: filter.methods } });
    if (filter.organisation !== undefined) and.push({ organisation: filter.organisation });
    if (filter.ward !== undefined) and.push({ ward: filter.ward });
    if (filter.phone !== undefined) and.push({ phone: filter.phone });
    if (filter.since) and.push({ createdAt: { $gte: filter.since.toISOString() } });
    if (filter.until) and.push({ createdAt: { $lt: filter.until.toISOString() } });
    const b = page.before;
    if (b)
      and.push({
        $or: [{ createdAt: { $lt: b.createdAt } }, { createdAt: b.createdAt, _id: { $lt: b.id } }],
      });
    const query = and.length ? { $and: and } : {};
    return this.db.run("pledges.page", async () =>
      (await this.db.models.Pledge.find(query).sort({ createdAt: -1, _id: -1 }).limit(page.limit).lean()).map(
        (d) => fromDoc<Pledge>(d)!,
      ),
    );
  }

  async findByReference(reference: string): Promise<Pledge | null> {
    return this.db.run("pledges.find", async () =>
      fromDoc<Pledge>(await this.db.models.Pledge.findOne({ reference: reference.toUpperCase() }).lean()),
    );
  }

  async setStatus(reference: string, status: PledgeStatus): Promise<Pledge | null> {
    return this.db.run("pledges.setStatus", async () =>
      fromDoc<Pledge>(
        await this.db.models.Pledge.findOneAndUpdate(
          { reference: reference.toUpperCase() },
          { $set: { status, updatedAt: this.now().toISOString() } },
          { returnDocument: "after" },
        ).lean(),
      ),
    );
  }

  async dueForReminder(quietSince: Date, maxReminders: number, limit: number): Promise<Pledge[]> {
    const cut = quietSince.toISOString();
    const query: Record<string, unknown> = {
      status: "pledged",
      $and: [
        { $or: [{ reminders: { $exists: false } }, { reminders: { $lt: maxReminders } }] },
        {
          $or: [
            { lastRemindedAt: { $lte: cut } },
            { lastRemindedAt: { $exists: false }, createdAt: { $lte: cut } },
          ],
        },
      ],
    };
    return this.db.run("pledges.dueForReminder", async () =>
      (await this.db.models.Pledge.find(query).sort({ createdAt: 1 }).limit(limit).lean()).map((d) =>
        fromDoc<Pledge>(d)!,
      ),
    );
  }

  /**
   * A conditional updateOne is not a safe compare-and-set here: two racing on FerretDB 1.24 both
   * matched (found by the contract test). Inserting a claim under a unique _id is atomic on both
   * servers, so the claim decides, then the pledge's count catches up (also after a crash).
   */
  async claimReminder(reference: string, sent: number, at: Date): Promise<boolean> {
    const ref = reference.toUpperCase();
    const pledge = await this.findByReference(ref);
    if (!pledge || pledge.status !== "pledged" || (pledge.reminders ?? 0) !== sent) return false;
    const won = await createRecord(this.db, "reminders.claim", this.db.models.ReminderClaim, {
      id: `${ref}#${sent + 1}`,
      at: at.toISOString(),
    });
    await this.db.run("pledges.claimReminder", () =>
      this.db.models.Pledge.updateOne(
        { reference: ref, $or: [{ reminders: { $exists: false } }, { reminders: { $lt: sent + 1 } }] },
        { $set: { reminders: sent + 1, lastRemindedAt: at.toISOString() } },
      ),
    );
    return won;
  }

  async countReminderSent(reference: string): Promise<void> {
    await this.db.run("pledges.countReminderSent", () =>
      this.db.models.Pledge.updateOne({ reference: reference.toUpperCase() }, { $inc: { remindersSent: 1 } }),
    );
  }

  async statusesByUser(userKeys: string[]): Promise<Map<string, Set<PledgeStatus>>> {
    const out = new Map<string, Set<PledgeStatus>>();
    if (userKeys.length === 0) return out;
    const docs = await this.db.run("pledges.statusesByUser", () =>
      this.db.models.Pledge.find({ userKey: { $in: userKeys } }, { userKey: 1, status: 1 }).lean(),
    );
    for (const d of docs) out.set(d.userKey, (out.get(d.userKey) ?? new Set()).add(d.status as PledgeStatus));
    return out;
  }

  async erasePersonalData(userKey: string): Promise<number> {
    return this.db.run("pledges.erase", async () => {
      const personal = ["name", "phone", "organisation", "ward"];
      const result = await this.db.models.Pledge.updateMany(
        { userKey, $or: personal.map((f) => ({ [f]: { $exists: true } })) },
        {
          $unset: Object.fromEntries(personal.map((f) => [f, ""])),
          $set: { updatedAt: this.now().toISOString() },
        },
      );
      return result.modifiedCount;
    });
  }

  async totals(range: { since?: Date; until?: Date } = {}): Promise<PledgeTotals> {
    const created: Record<string, string> = {};
    if (range.since) created.$gte = range.since.toISOString();
    if (range.until) created.$lt = range.until.toISOString();
    const match = {
      status: { $ne: "cancelled" },
      ...(Object.keys(created).length ? { createdAt: created } : {}),
    };
    // FerretDB v1 computes only the first accumulator of a $group, so sums and counts run apart.
    const group = (key: string, acc: { $sum: string | number }) =>
      this.db.models.Pledge.aggregate<{ _id: string | null; v: number }>([
        { $match: match },
        { $group: { _id: key, v: acc } } as PipelineStage,
      ]);
    return this.db.run("pledges.totals", async () => {
      const [mSum, mCount, oSum, oCount, wSum, wCount] = await Promise.all([
        group("$method", { $sum: "$amount" }),
        group("$method", { $sum: 1 }),
        group("$organisation", { $sum: "$amount" }),
        group("$organisation", { $sum: 1 }),
        group("$ward", { $sum: "$amount" }),
        group("$ward", { $sum: 1 }),
      ]);
      const rows = (sums: typeof mSum, counts: typeof mCount) => {
        const out = new Map<string, TotalsRow>();
        for (const s of sums) if (s._id) out.set(s._id, { count: 0, amount: s.v });
        for (const c of counts)
          if (c._id) out.set(c._id, { amount: out.get(c._id)?.amount ?? 0, count: c.v });
        return out;
      };
      const byMethod = Object.fromEntries(rows(mSum, mCount)) as Partial<Record<PledgeMethod, TotalsRow>>;
      const byOrganisation = [...rows(oSum, oCount)]
        .map(([organisation, r]) => ({ organisation, ...r }))
        .sort((a, b) => b.amount - a.amount || a.organisation.localeCompare(b.organisation));
      const byWard = [...rows(wSum, wCount)]
        .map(([ward, r]) => ({ ward, ...r }))
        .sort((a, b) => b.amount - a.amount || a.ward.localeCompare(b.ward));
      const all = Object.values(byMethod);
      return {
        count: all.reduce((n, r) => n + r.count, 0),
        amount: all.reduce((n, r) => n + r.amount, 0),
        byMethod,
        byOrganisation,
        byWard,
      };
    });
  }
}

export class MongoSubscriberRepository implements SubscriberRepository {
  constructor(private readonly db: MongoConnection) {}

  async get(channel: string, userId: string): Promise<Subscriber | null> {
    return this.db.run("subscribers.get", async () =>
      stripId(await this.db.models.Subscriber.findOne({ channel, userId }).lean()),
    );
  }

  async audience(filter: AudienceFilter, page: { after?: string; limit: number }): Promise<Subscriber[]> {
    const query: Record<string, unknown> = { optedIn: true, blocked: false, unreachable: { $exists: false } };
    if (filter.channels) query.channel = { $in: filter.channels };
    if (filter.langs) query.lang = { $in: filter.langs };
    if (filter.organisations) query.organisation = { $in: filter.organisations };
    if (page.after !== undefined) {
      const cut = page.after.indexOf(":");
      const [channel, userId] = [page.after.slice(0, cut), page.after.slice(cut + 1)];
      query.$or = [{ channel: { $gt: channel } }, { channel, userId: { $gt: userId } }];
    }
    return this.db.run("subscribers.audience", async () =>
      (
        await this.db.models.Subscriber.find(query).sort({ channel: 1, userId: 1 }).limit(page.limit).lean()
      ).map((d) => stripId<Subscriber>(d)!),
    );
  }

  async setOptIn(
    channel: string,
    userId: string,
    optedIn: boolean,
    lang: string,
    at: Date,
    organisation?: string,
  ): Promise<Subscriber> {
    const set = { optedIn, lang, optedAt: at.toISOString(), ...(organisation ? { organisation } : {}) };
    const upsert = () =>
      this.db.models.Subscriber.findOneAndUpdate(
        { channel, userId },
        { $set: set, $setOnInsert: { blocked: false } },
        { upsert: true, returnDocument: "after" },
      ).lean();
    return this.db.run("subscribers.setOptIn", async () => {
      try {
        return stripId(await upsert())!;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return stripId(await upsert())!; // two first-time upserts raced: the second now updates
      }
    });
  }

  async setLanguage(channel: string, userId: string, lang: string): Promise<void> {
    await this.db.run("subscribers.setLanguage", () =>
      this.db.models.Subscriber.updateOne({ channel, userId, lang: { $ne: lang } }, { $set: { lang } }),
    );
  }

  async setBlocked(channel: string, userId: string, blocked: boolean): Promise<void> {
    await this.db.run("subscribers.setBlocked", () =>
      this.db.models.Subscriber.updateOne({ channel, userId }, { $set: { blocked } }),
    );
  }

  async setUnreachable(
    channel: string,
    userId: string,
    reason: Subscriber["unreachable"] | null,
    at: Date,
  ): Promise<void> {
    await this.db.run("subscribers.setUnreachable", () =>
      reason
        ? this.db.models.Subscriber.updateOne(
            { channel, userId },
            { $set: { unreachable: reason, unreachableAt: at.toISOString() } },
          )
        : // Only matches a marked subscriber, so the common case changes nothing.
          this.db.models.Subscriber.updateOne(
            { channel, userId, unreachable: { $exists: true } },
            { $unset: { unreachable: "", unreachableAt: "" } },
          ),
    );
  }

  async forget(channel: string, userId: string): Promise<boolean> {
    return this.db.run(
      "subscribers.forget",
      async () => (await this.db.models.Subscriber.deleteOne({ channel, userId })).deletedCount > 0,
    );
  }
}

export class MongoBroadcastRepository implements BroadcastRepository {
  constructor(private readonly db: MongoConnection) {}

  async create(broadcast: Broadcast): Promise<Broadcast> {
    await this.db.run("broadcasts.create", () =>
      this.db.models.Broadcast.create(toDoc(stripUndefined(broadcast))),
    );
    return broadcast;
  }

  async get(id: string): Promise<Broadcast | null> {
    return this.db.run("broadcasts.get", async () =>
      fromDoc<Broadcast>(await this.db.models.Broadcast.findById(id).lean()),
    );
  }

  async list(limit: number): Promise<Broadcast[]> {
    return this.db.run("broadcasts.list", async () =>
      (await this.db.models.Broadcast.find().sort({ createdAt: -1 }).limit(limit).lean()).map((d) =>
        fromDoc<Broadcast>(d)!,
      ),
    );
  }

  async update(
    id: string,
    patch: Partial<Omit<Broadcast, "id">>,
    ifStatus?: BroadcastStatus[],
  ): Promise<Broadcast | null> {
    const filter = { _id: id, ...(ifStatus ? { status: { $in: ifStatus } } : {}) };
    return this.db.run("broadcasts.update", async () =>
      fromDoc<Broadcast>(
        await this.db.models.Broadcast.findOneAndUpdate(
          filter,
          { $set: stripUndefined(patch) },
          { returnDocument: "after" },
        ).lean(),
      ),
    );
  }
}

export class MongoConsentRepository implements ConsentRepository {
  constructor(private readonly db: MongoConnection) {}

  async record(input: Omit<ConsentRecord, "id" | "withdrawnAt">): Promise<ConsentRecord> {
    const record: ConsentRecord = { ...input, id: randomUUID() };
    await this.insert(record);
    return record;
  }

  /** Inserts a complete record (from the outbox); false when it is already there. */
  insert(record: ConsentRecord): Promise<boolean> {
    return createRecord(this.db, "consents.insert", this.db.models.Consent, record);
  }

  async listByUser(userKey: string): Promise<ConsentRecord[]> {
    return this.db.run("consents.list", async () =>
      (await this.db.models.Consent.find({ userKey }).sort({ grantedAt: 1 }).lean()).map((d) =>
        fromDoc<ConsentRecord>(d)!,
      ),
    );
  }

  async withdrawAll(userKey: string, at: Date): Promise<number> {
    return this.db.run(
      "consents.withdraw",
      async () =>
        (
          await this.db.models.Consent.updateMany(
            { userKey, withdrawnAt: { $exists: false } },
            { $set: { withdrawnAt: at.toISOString() } },
          )
        ).modifiedCount,
    );
  }
}

export class MongoHandoffRepository implements HandoffRepository {
  constructor(private readonly db: MongoConnection) {}

  async request(input: Omit<HandoffRequest, "id">): Promise<HandoffRequest> {
    const req: HandoffRequest = { ...input, id: randomUUID() };
    await this.db.run("handoffs.request", () => this.db.models.Handoff.create(toDoc(req)));
    return req;
  }

  async open(): Promise<HandoffRequest[]> {
    return this.db.run("handoffs.open", async () =>
      (
        await this.db.models.Handoff.find({ answeredAt: { $exists: false } })
          .sort({ requestedAt: 1 })
          .lean()
      ).map((d) => fromDoc<HandoffRequest>(d)!),
    );
  }

  async get(id: string): Promise<HandoffRequest | null> {
    return this.db.run("handoffs.get", async () =>
      fromDoc<HandoffRequest>(await this.db.models.Handoff.findById(id).lean()),
    );
  }

  async markAnswered(id: string, at: Date): Promise<void> {
    await this.db.run("handoffs.answered", () =>
      this.db.models.Handoff.updateOne({ _id: id }, { $set: { answeredAt: at.toISOString() } }),
    );
  }

  async forget(userKey: string): Promise<number> {
    return this.db.run(
      "handoffs.forget",
      async () => (await this.db.models.Handoff.deleteMany({ userKey })).deletedCount,
    );
  }
}

export class MongoAuditLog implements AuditLog {
  constructor(private readonly db: MongoConnection) {}

  async record(entry: Omit<AuditEntry, "id">): Promise<AuditEntry> {
    const saved: AuditEntry = { ...entry, id: randomUUID() };
    await this.db.run("audit.record", () => this.db.models.Audit.create(toDoc(stripUndefined(saved))));
    return saved;
  }

  async list(limit: number): Promise<AuditEntry[]> {
    return this.db.run("audit.list", async () =>
      (await this.db.models.Audit.find().sort({ at: -1 }).limit(limit).lean()).map((d) =>
        fromDoc<AuditEntry>(d)!,
      ),
    );
  }
}

export interface MongoRecords extends Records {
  pledges: MongoPledgeRepository;
  consents: MongoConsentRepository;
}

export function mongoRecords(
  db: MongoConnection,
  referencePrefix: string,
  now: () => Date = () => new Date(),
): MongoRecords {
  return {
    pledges: new MongoPledgeRepository(db, referencePrefix, now),
    broadcasts: new MongoBroadcastRepository(db),
    subscribers: new MongoSubscriberRepository(db),
    consents: new MongoConsentRepository(db),
    handoffs: new MongoHandoffRepository(db),
    audit: new MongoAuditLog(db),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

/** A lean document whose _id is Mongo's own (subscribers): dropped, with null fields. */
function stripId<T>(doc: Record<string, unknown> | null): T | null {
  if (!doc) return null;
  return Object.fromEntries(
    Object.entries(doc).filter(([k, v]) => k !== "_id" && v !== null && v !== undefined),
  ) as T;
}

/** A record under its own id, through its mongoose model (schema-validated). */
function createRecord<T extends { id: string }>(
  db: MongoConnection,
  what: string,
  model: Model<any>,
  record: T,
): Promise<boolean> {
  return insertOnce(db, what, () => model.create(toDoc(stripUndefined(record))));
}

/** Runs an insert; false when a unique index says the record is already there, so repeating is safe. */
async function insertOnce(
  db: MongoConnection,
  what: string,
  write: () => Promise<unknown>,
): Promise<boolean> {
  return db.run(what, async () => {
    try {
      await write();
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  });
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
