import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MemoryDeliveryLedger,
  RedisDeliveryLedger,
  type DeliveryLedger,
} from "../../src/broadcasts/delivery-ledger.ts";
import { servicesAvailable, startRedis } from "../support/services.ts";

/** The report's lists: who is in which state, in memory and in Redis alike. */
async function fill(ledger: DeliveryLedger): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const r = `telegram:${i}`;
    if (i === 3) await ledger.skip("b1", r, "blocked");
    else if (await ledger.claim("b1", r)) {
      if (i === 7) continue; // claimed, never answered: unconfirmed
      await ledger.settle("b1", r, i === 11 ? "failed" : "sent");
    }
  }
}

const lists = async (ledger: DeliveryLedger) =>
  (await ledger.recipientsIn("b1", ["blocked", "failed", "sending"], 10)).sort((a, b) =>
    a.recipient.localeCompare(b.recipient),
  );

const expected = [
  { recipient: "telegram:11", state: "failed" },
  { recipient: "telegram:3", state: "blocked" },
  { recipient: "telegram:7", state: "sending" },
];

describe("delivery ledger lists", () => {
  it("lists recipients by state in memory, up to a limit", async () => {
    const ledger = new MemoryDeliveryLedger();
    await fill(ledger);
    expect(await lists(ledger)).toEqual(expected);
    expect(await ledger.recipientsIn("b1", ["sent"], 5)).toHaveLength(5);
  });

  const withRedis = servicesAvailable("delivery ledger lists in Redis");
  describe.runIf(withRedis)("in Redis", () => {
    let redis: Awaited<ReturnType<typeof startRedis>>;
    beforeAll(async () => {
      redis = await startRedis();
    }, 60_000);
    afterAll(async () => {
      await redis?.stop();
    });

    it("lists the same recipients by state", async () => {
      const client = new Redis(redis.url);
      const ledger = new RedisDeliveryLedger(client, "t:");
      await fill(ledger);
      expect(await lists(ledger)).toEqual(expected);
      expect(await ledger.recipientsIn("b1", ["sent"], 5)).toHaveLength(5);
      client.disconnect();
    });
  });
});
