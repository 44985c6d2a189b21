import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe } from "vitest";
import { FileOutbox, RedisOutbox } from "../../src/records/outbox.ts";
import { servicesAvailable, startRedis } from "../support/services.ts";
import { outboxContract } from "./outbox.contract.ts";

outboxContract("file", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "chungtay-outbox-")), "outbox.json");
  return { outbox: new FileOutbox(path), reopen: async () => new FileOutbox(path) };
});

const available = servicesAvailable("Redis outbox");
let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
const clients: Redis[] = [];
let n = 0;

describe.runIf(available)("Redis outbox", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  outboxContract("redis", async () => {
    const key = `outbox-test:${++n}`;
    const open = () => {
      const client = new Redis(redis!.url);
      clients.push(client);
      return new RedisOutbox<{ reference: string; amount: number }>(client, key);
    };
    return { outbox: open(), reopen: async () => open() };
  });
});
