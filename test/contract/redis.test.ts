import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSession } from "../../src/engine/session.ts";
import { RedisConversationStore } from "../../src/sessions/redis-conversation-store.ts";
import { servicesAvailable, startRedis, type TestService } from "../support/services.ts";
import { conversationStoreContract } from "./conversation-store.contract.ts";

const available = servicesAvailable("Redis conversation store");
let redis: (TestService & { url: string }) | undefined;
let prefixes = 0;

const options = { sessionTtlSeconds: 3600, dedupeTtlSeconds: 86_400, lockTtlMs: 2_000, lockWaitMs: 10_000 };
const makeStore = (prefix: string, over: Partial<typeof options> = {}) =>
  new RedisConversationStore(new Redis(redis!.url, { maxRetriesPerRequest: 1 }), {
    keyPrefix: prefix,
    ...options,
    ...over,
  });

describe.runIf(available)("Redis conversation store", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  conversationStoreContract("redis", async () => makeStore(`t${++prefixes}:`));

  it("keeps turns of one conversation in arrival order across two processes' connections", async () => {
    const prefix = `two${++prefixes}:`;
    const a = makeStore(prefix);
    const b = makeStore(prefix);
    // Connect both and load the scripts first: order is defined by arrival at Redis, and a
    // connection still opening would hold its first command back.
    for (const [i, store] of [a, b].entries())
      await store.release((await store.acquire(`c:warm${i}`, `m:warm${i}`))!, null);
    const order: number[] = [];
    // Turns alternate between the two processes and overlap (each holds 2 ms+). "Arrival" is what
    // Redis saw: each turn is sent once Redis has issued the previous one's ticket.
    const counter = new Redis(redis!.url);
    const conversationHash = `${prefix}c:{c:shared}`;
    const turns: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      const store = i % 2 === 0 ? a : b;
      const acquired = store.acquire("c:shared", `m:${i}`);
      turns.push(
        acquired.then(async (lease) => {
          const s = lease!.session ?? newSession("vi", 0);
          order.push(i);
          s.slots.count = Number(s.slots.count ?? 0) + 1;
          await new Promise((r) => setTimeout(r, 2));
          await store.release(lease!, s);
        }),
      );
      while (Number(await counter.hget(conversationHash, "t")) < i + 1)
        await new Promise((r) => setTimeout(r, 1));
    }
    counter.disconnect();
    await Promise.all(turns);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const check = await a.acquire("c:shared", "m:check");
    expect(check?.session?.slots.count).toBe(50);
    await a.release(check!, null);
    await a.close();
    await b.close();
  });

  it("lets the next turn through when a holder dies without releasing (lock expiry)", async () => {
    const store = makeStore(`dead${++prefixes}:`, { lockTtlMs: 300 });
    const crashed = await store.acquire("c:x", "m:1"); // never released
    expect(crashed).not.toBeNull();
    const started = Date.now();
    const next = await store.acquire("c:x", "m:2");
    expect(next).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(3_000);
    await store.release(next!, newSession("vi", 0));
    // The dead holder's late release must not overwrite anything.
    await expect(store.release(crashed!, newSession("en", 0))).rejects.toThrow(/expired before release/);
    const after = await store.acquire("c:x", "m:3");
    expect(after?.session?.lang).toBe("vi");
    await store.release(after!, null);
    await store.close();
  });

  it("keeps a message in progress while its turn renews its lease; a dead turn's message is redone", async () => {
    const store = makeStore(`lease${++prefixes}:`, { lockTtlMs: 600 });
    const running = await store.acquire("c:l", "m:1");
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, store.renewEveryMs));
      expect(await store.renew(running!)).toBe(true);
    }
    // 1.2 s in, twice the lease: still in progress, so a redelivery is not run twice.
    expect(await store.acquire("c:l", "m:1")).toBeNull();
    // The turn dies (no more renewals): after its lease the redelivery is processed.
    await new Promise((r) => setTimeout(r, 700));
    const redone = await store.acquire("c:l", "m:1");
    expect(redone).not.toBeNull();
    expect(await store.renew(running!)).toBe(false);
    await store.release(redone!, newSession("vi", 0));
    // Done once its session is written: later redeliveries are duplicates.
    expect(await store.acquire("c:l", "m:1")).toBeNull();
    await store.close();
  });

  it("gives up after the bounded wait and frees the message id for redelivery", async () => {
    const store = makeStore(`busy${++prefixes}:`, { lockTtlMs: 5_000, lockWaitMs: 200 });
    const holder = await store.acquire("c:y", "m:1");
    await expect(store.acquire("c:y", "m:2")).rejects.toThrow(/still busy/);
    await store.release(holder!, null);
    // m:2 was freed: a redelivery is processed, after the abandoned ticket's lock expires.
    const redelivered = await store.acquire("c:y", "m:2");
    expect(redelivered).not.toBeNull();
    await store.release(redelivered!, null);
    await store.close();
  }, 20_000);

  it("keeps a mid-pledge session under 1 KB with a TTL", async () => {
    const store = makeStore(`size${++prefixes}:`);
    const lease = await store.acquire("webchat:3f2b8c1e-5d7a-4f3e-9b1a-2c4d6e8f0a1b", "m:1");
    const s = newSession("vi", Date.now());
    s.stack = [{ flow: "pledge", step: 9, waiting: true }];
    Object.assign(s.slots, {
      amount: 2_500_000,
      method: "payroll",
      consent: true,
      name: "Nguyễn Thị Phương Thảo",
      phone: "+84912345678",
      organisation: "Công đoàn Trường THPT Châu Văn Liêm",
      ward: "Phường Tân An, quận Ninh Kiều",
    });
    s.vars.consent_id = "7f0e8a4c-1b2d-4c3e-9f5a-6b7c8d9e0f1a";
    s.history = ["amount", "method", "consent", "name", "phone", "organisation", "ward"].map((slot, i) => ({
      flow: "pledge",
      step: i + 2,
      slot,
    }));
    await store.release(lease!, s);
    const client = new Redis(redis!.url);
    const key = `size${prefixes}:c:{webchat:3f2b8c1e-5d7a-4f3e-9b1a-2c4d6e8f0a1b}`;
    const bytes = Buffer.byteLength((await client.hget(key, "s"))!);
    expect(bytes).toBeLessThan(1024);
    expect(await client.ttl(key)).toBeGreaterThan(3000);
    client.disconnect();
    await store.close();
  });
});
