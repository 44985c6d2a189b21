import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { errorInfo } from "../log/error-info.ts";
import type { MongoRecords } from "./mongo/mongo-records.ts";
import type { Outbox } from "./outbox.ts";
import { checkPledge, pledgeIdFor, type NewPledge, type Pledge, type PledgeStatus } from "./pledge.ts";
import { pageOf, type PledgeFilter, type PledgePage } from "./pledge-list.ts";
import {
  StoreUnavailableError,
  type ConsentRecord,
  type ConsentRepository,
  type PledgeRepository,
  type PledgeTotals,
  type Records,
} from "./ports.ts";
import { newReferenceCode } from "./reference-code.ts";

/**
 * Pledges and consent records that survive a MongoDB outage: when MongoDB cannot be reached,
 * the complete record (id, reference, timestamps) waits in the outbox and the user is told it
 * is recorded; `drain` writes it when MongoDB is back. Unique indexes on the idempotency key and
 * id make a drain that runs twice, or in two processes, write each record exactly once.
 */
export class DurablePledgeRepository implements PledgeRepository {
  constructor(
    private readonly primary: MongoRecords["pledges"],
    private readonly outbox: Outbox<Pledge>,
    private readonly referencePrefix: string,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  /**
   * MongoDB first (no Redis round trip when it is up). A redelivery reaches here only if the turn
   * that saved to the outbox failed, so the user never saw that reference; if MongoDB is back by
   * then, the new pledge stands and the drain drops the outbox copy (same idempotency key).
   */
  async create(input: NewPledge): Promise<{ pledge: Pledge; created: boolean }> {
    // Picked before MongoDB is tried: if MongoDB wrote the pledge but its answer was lost (a
    // timeout), the outbox copy has the same reference, so the one the user is told is stored.
    const reference = newReferenceCode(this.referencePrefix);
    try {
      return await this.primary.create(input, reference);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      const at = this.now().toISOString();
      // Checked here too, so a bad pledge cannot wait in the outbox to fail every drain.
      const pledge = checkPledge({
        ...input,
        id: pledgeIdFor(input.idempotencyKey),
        reference,
        status: "pledged",
        createdAt: at,
        updatedAt: at,
      });
      const stored = await this.outbox.putIfAbsent(input.idempotencyKey, pledge);
      this.log.warn(
        { reference: stored.reference },
        "pledges: MongoDB unavailable, pledge kept in the outbox",
      );
      // Same key, same id: the fresh reference tells whether this call stored it.
      return { pledge: stored, created: stored.reference === pledge.reference };
    }
  }

  async listByUser(userKey: string): Promise<Pledge[]> {
    const waiting = (await this.outbox.all()).map((e) => e.doc).filter((p) => p.userKey === userKey);
    const stored = await this.primary.listByUser(userKey).catch((err: unknown) => {
      if (err instanceof StoreUnavailableError) return [];
      throw err;
    });
    const keys = new Set(stored.map((p) => p.idempotencyKey));
    return [...stored, ...waiting.filter((p) => !keys.has(p.idempotencyKey))].sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    );
  }

  /** MongoDB's page with the outbox's waiting pledges merged in; staff get a 503 while MongoDB is down. */
  async list(filter: PledgeFilter, page: PledgePage): Promise<Pledge[]> {
    const stored = await this.primary.list(filter, page);
    const keys = new Set(stored.map((p) => p.idempotencyKey));
    const waiting = (await this.outbox.all()).map((e) => e.doc).filter((p) => !keys.has(p.idempotencyKey));
    return pageOf([...stored, ...waiting], filter, page);
  }

  async findByReference(reference: string): Promise<Pledge | null> {
    const waiting = (await this.outbox.all()).find((e) => e.doc.reference === reference.toUpperCase());
    return waiting?.doc ?? this.primary.findByReference(reference);
  }

  async setStatus(reference: string, status: PledgeStatus): Promise<Pledge | null> {
    const waiting = (await this.outbox.all()).find((e) => e.doc.reference === reference.toUpperCase());
    if (!waiting) return this.primary.setStatus(reference, status);
    const updated = { ...waiting.doc, status, updatedAt: this.now().toISOString() };
    await this.outbox.replace(waiting.key, updated);
    return updated;
  }

  async erasePersonalData(userKey: string): Promise<number> {
    let erased = 0;
    for (const { key, doc } of await this.outbox.all()) {
      if (doc.userKey !== userKey) continue;
      const { name, phone, organisation, ward, ...rest } = doc;
      if ([name, phone, organisation, ward].some((v) => v !== undefined)) erased++;
      await this.outbox.replace(key, rest);
    }
    return erased + (await this.primary.erasePersonalData(userKey));
  }

  totals(range?: { since?: Date; until?: Date }): Promise<PledgeTotals> {
    return this.primary.totals(range);
  }

  // Reminders and audiences read MongoDB only: a pledge still in the outbox is days from due.
  dueForReminder(quietSince: Date, maxReminders: number, limit: number): Promise<Pledge[]> {
    return this.primary.dueForReminder(quietSince, maxReminders, limit);
  }

  claimReminder(reference: string, sent: number, at: Date): Promise<boolean> {
    return this.primary.claimReminder(reference, sent, at);
  }

  countReminderSent(reference: string): Promise<void> {
    return this.primary.countReminderSent(reference);
  }

  statusesByUser(userKeys: string[]): Promise<Map<string, Set<PledgeStatus>>> {
    return this.primary.statusesByUser(userKeys);
  }

  /** Writes waiting pledges to MongoDB; returns how many left the outbox. */
  async drain(): Promise<number> {
    let moved = 0;
    for (const { key, doc } of await this.outbox.all()) {
      const inserted = await this.primary.insert(doc);
      if (!inserted)
        this.log.info({ reference: doc.reference }, "pledges: outbox entry was already in MongoDB");
      await this.outbox.remove(key);
      moved++;
    }
    return moved;
  }
}

export class DurableConsentRepository implements ConsentRepository {
  constructor(
    private readonly primary: MongoRecords["consents"],
    private readonly outbox: Outbox<ConsentRecord>,
  ) {}

  async record(input: Omit<ConsentRecord, "id" | "withdrawnAt">): Promise<ConsentRecord> {
    const record: ConsentRecord = { ...input, id: randomUUID() };
    try {
      await this.primary.insert(record);
      return record;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      return this.outbox.putIfAbsent(record.id, record);
    }
  }

  async listByUser(userKey: string): Promise<ConsentRecord[]> {
    const waiting = (await this.outbox.all()).map((e) => e.doc).filter((c) => c.userKey === userKey);
    return [...(await this.primary.listByUser(userKey)), ...waiting];
  }

  async withdrawAll(userKey: string, at: Date): Promise<number> {
    let withdrawn = 0;
    for (const { key, doc } of await this.outbox.all()) {
      if (doc.userKey !== userKey || doc.withdrawnAt) continue;
      await this.outbox.replace(key, { ...doc, withdrawnAt: at.toISOString() });
      withdrawn++;
    }
    return withdrawn + (await this.primary.withdrawAll(userKey, at));
  }

  async drain(): Promise<number> {
    let moved = 0;
    for (const { key, doc } of await this.outbox.all()) {
      await this.primary.insert(doc);
      await this.outbox.remove(key);
      moved++;
    }
    return moved;
  }
}

export interface DurableRecords extends Records {
  pledges: DurablePledgeRepository;
  consents: DurableConsentRepository;
  /** Records waiting for MongoDB. */
  pending(): Promise<number>;
  /** Moves waiting records to MongoDB if it is reachable; never throws. */
  drain(): Promise<number>;
}

export function durableRecords(
  mongo: MongoRecords,
  outboxes: { pledges: Outbox<Pledge>; consents: Outbox<ConsentRecord> },
  referencePrefix: string,
  now: () => Date,
  log: Logger,
): DurableRecords {
  const pledges = new DurablePledgeRepository(mongo.pledges, outboxes.pledges, referencePrefix, now, log);
  const consents = new DurableConsentRepository(mongo.consents, outboxes.consents);
  return {
    ...mongo,
    pledges,
    consents,
    pending: async () => (await outboxes.pledges.size()) + (await outboxes.consents.size()),
    drain: async () => {
      try {
        // Consents first: a drained pledge should never point at a consent not yet written.
        return (await consents.drain()) + (await pledges.drain());
      } catch (err) {
        if (!(err instanceof StoreUnavailableError))
          log.error({ err: errorInfo(err) }, "outbox drain failed");
        return 0;
      }
    },
  };
}
