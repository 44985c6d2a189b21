import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DurablePledgeRepository } from "../../src/records/durable-records.ts";
import { MongoConnection } from "../../src/records/mongo/mongo-connection.ts";
import { MongoPledgeRepository } from "../../src/records/mongo/mongo-records.ts";
import { FileOutbox } from "../../src/records/outbox.ts";
import type { Pledge } from "../../src/records/pledge.ts";
import { StoreUnavailableError } from "../../src/records/ports.ts";
import { servicesAvailable, startFerretDb } from "../support/services.ts";

/** MongoDB writes the first pledge, then its answer never arrives (a timeout on a busy network). */
class FirstAnswerLost extends MongoPledgeRepository {
  private lost = false;

  override async insert(pledge: Pledge): Promise<boolean> {
    const inserted = await super.insert(pledge);
    if (this.lost) return inserted;
    this.lost = true;
    throw new StoreUnavailableError("mongodb pledges.insert (answer lost)");
  }
}

const available = servicesAvailable("a pledge save whose answer was lost");
let ferret: Awaited<ReturnType<typeof startFerretDb>> | undefined;
let db: MongoConnection | undefined;

describe.runIf(available)("a pledge save whose answer was lost", () => {
  beforeAll(async () => {
    ferret = await startFerretDb();
    db = new MongoConnection(
      { uri: ferret.uri("lost"), poolSize: 2, timeoutMs: 2_000 },
      pino({ level: "silent" }),
    );
    await db.whenOpen();
  });
  afterAll(async () => {
    await db?.close();
    await ferret?.stop();
  });

  it("keeps the reference the user was told, in the outbox and in MongoDB, and one pledge", async () => {
    const now = () => new Date();
    const log = pino({ level: "silent" });
    const outbox = new FileOutbox<Pledge>(join(mkdtempSync(join(tmpdir(), "chungtay-lost-")), "outbox.json"));
    const pledges = new DurablePledgeRepository(
      new FirstAnswerLost(db!, "VNN", now),
      outbox,
      "VNN",
      now,
      log,
    );
    const { pledge: told } = await pledges.create({
      idempotencyKey: "test:c1:7",
      amount: 300_000,
      method: "cash",
      channel: "test",
      conversationId: "c1",
      userKey: "test:c1",
    });

    const mongo = new MongoPledgeRepository(db!, "VNN", now);
    expect((await mongo.findByReference(told.reference))?.amount).toBe(300_000);
    expect((await outbox.all()).map((e) => e.doc.reference)).toEqual([told.reference]);
    // Staff see it once, though it is both in MongoDB and waiting in the outbox.
    expect((await pledges.list({}, { limit: 10 })).map((p) => p.reference)).toEqual([told.reference]);
    await pledges.drain();
    expect(await outbox.size()).toBe(0);
    expect((await mongo.listByUser("test:c1")).map((p) => p.reference)).toEqual([told.reference]);
  });
});
