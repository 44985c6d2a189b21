import { pino } from "pino";
import { afterAll, beforeAll, describe } from "vitest";
import { MongoConnection } from "../../src/records/mongo/mongo-connection.ts";
import { mongoRecords } from "../../src/records/mongo/mongo-records.ts";
import { servicesAvailable, startFerretDb } from "../support/services.ts";
import { recordsContract } from "./records.contract.ts";

const available = servicesAvailable("MongoDB records");
let ferret: Awaited<ReturnType<typeof startFerretDb>> | undefined;
const open: MongoConnection[] = [];
let dbs = 0;

describe.runIf(available)("MongoDB records (FerretDB)", () => {
  beforeAll(async () => {
    ferret = await startFerretDb();
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    await ferret?.stop();
  });

  recordsContract("mongoose on a MongoDB wire-protocol server", async () => {
    const uri = ferret!.uri(`contract${++dbs}`);
    const connect = async () => {
      const db = new MongoConnection({ uri, poolSize: 5, timeoutMs: 2_000 }, pino({ level: "silent" }));
      open.push(db);
      await db.whenOpen();
      return mongoRecords(db, "VNN");
    };
    return { records: await connect(), reopen: connect };
  });
});
