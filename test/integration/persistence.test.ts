import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import type { Inbound } from "../../src/engine/inbound.ts";
import { buildServer } from "../../src/server.ts";
import { servicesAvailable, startFerretDb, startRedis } from "../support/services.ts";
import { testApp } from "../support/test-app.ts";

/**
 * The bot on real Redis and a real MongoDB wire-protocol server (FerretDB): several bot
 * instances sharing them, redeliveries, and each store going away and coming back.
 */
const available = servicesAvailable("persistence integration");
let redis: Awaited<ReturnType<typeof startRedis>>;
let ferret: Awaited<ReturnType<typeof startFerretDb>>;
const apps: App[] = [];

async function bot(db: string, prefix: string, env: Record<string, string> = {}): Promise<App> {
  const app = await testApp({
    env: {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      MONGODB_URI: ferret.uri(db),
      MONGODB_TIMEOUT_MS: "500",
      REDIS_TIMEOUT_MS: "500",
      OUTBOX_DRAIN_MS: "200",
      LOCK_WAIT_MS: "20000",
      ...env,
    },
  });
  apps.push(app);
  return app;
}

/** GET /readyz of `app`, served as main.ts serves it. */
async function readyz(app: App): Promise<{ status: number; body: Record<string, unknown> }> {
  const http = buildServer(app);
  const port = await http.listen(0, "127.0.0.1");
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } finally {
    await http.close();
  }
}

/** Sends one message as `user`; returns the replies' text. */
function sender(app: App, user: string) {
  return async (m: Partial<Inbound>, messageId: string = randomUUID()) => {
    const result = await app.turns.process({
      channel: "test",
      messageId,
      conversationId: user,
      userId: user,
      ...m,
    });
    return { ...result, text: result.replies.map((r) => r.text).join("\n") };
  };
}

/** Takes `user` through an anonymous cash pledge up to the summary; returns the confirm step. */
async function upToConfirm(app: App, user: string, amount = "200k") {
  const send = sender(app, user);
  await send({ payload: "flow:pledge" });
  await send({ text: amount });
  await send({ payload: "v:cash" });
  await send({ payload: "v:no" });
  return send;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(available)("persistence on Redis and MongoDB", () => {
  beforeAll(async () => {
    [redis, ferret] = await Promise.all([startRedis(), startFerretDb()]);
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), ferret?.stop()]);
  });

  it("two bot instances hammering one conversation with 50 concurrent turns lose no session write", async () => {
    const [a, b] = await Promise.all([bot("hammer", "h:"), bot("hammer", "h:")]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sender(i % 2 ? a : b, "busy")({ text: i % 5 === 0 ? "menu" : "SMS là gì?" }),
      ),
    );
    expect(results.every((r) => !r.duplicate && r.replies.length > 0)).toBe(true);
    const lease = await a.store.acquire("test:busy", "check");
    expect(lease?.session?.turns).toBe(50);
    await a.store.release(lease!, null);
  });

  it("a turn costs two Redis round trips when its conversation is free (one script in, one out)", async () => {
    // The outbox drainer polls in the background; keep it out of the measured window.
    const app = await bot("round-trips", "rt:", { OUTBOX_DRAIN_MS: "600000" });
    // MONITOR shows every command Redis runs; those a script runs come from "lua", so counting
    // the rest on the bot's keys counts the round trips the turn made.
    const stats = new Redis(redis.url);
    const monitored = new Redis(redis.url);
    const monitor = await monitored.monitor();
    const seen: string[][] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (source !== "lua" && args.some((a) => a.startsWith("rt:"))) seen.push(args);
    });
    const send = sender(app, "rt");
    await until(
      "MongoDB connected and the first drain done",
      async () => (await app.stores.readiness()).records.up,
    );
    await new Promise((r) => setTimeout(r, 200));
    for (const [i, m] of [
      { payload: "flow:pledge" },
      { text: "500k" },
      { text: "tiền mặt" },
      { text: "không" },
      { text: "xác nhận" },
    ].entries()) {
      seen.length = 0;
      const { text } = await send(m);
      await stats.echo(`rt:marker:${i}`);
      await until(
        "the monitor saw the turn",
        async () => seen.some((args) => args.includes(`rt:marker:${i}`)),
        5_000,
      );
      // ioredis sends a script's source (EVAL) the first time on a connection, its hash after.
      const commands = seen
        .filter((args) => !args.includes(`rt:marker:${i}`))
        .map((args) => args[0]!.replace(/^evalsha$/, "eval"));
      expect(commands, `Redis calls for ${JSON.stringify(m)} → ${text.slice(0, 40)}`).toEqual([
        "eval",
        "eval",
      ]);
    }
    monitor.disconnect();
    monitored.disconnect();
    stats.disconnect();
  });

  it("a redelivered confirmation creates one pledge, whichever instance gets it", async () => {
    const [a, b] = await Promise.all([bot("dedupe", "d:"), bot("dedupe", "d:")]);
    await upToConfirm(a, "dup");
    const confirm = { payload: "v:confirm" };
    const [first, second] = await Promise.all([
      sender(a, "dup")(confirm, "confirm-1"),
      sender(b, "dup")(confirm, "confirm-1"),
    ]);
    const third = await sender(b, "dup")(confirm, "confirm-1");
    expect([first.duplicate, second.duplicate].sort()).toEqual([false, true]);
    expect(third).toMatchObject({ duplicate: true, replies: [] });
    const pledges = await a.records.pledges.listByUser("test:dup");
    expect(pledges).toHaveLength(1);
    expect(pledges[0]).toMatchObject({ amount: 200_000, method: "cash", status: "pledged" });
  });

  it("MongoDB stopped mid-run then restarted: every pledge is kept, none duplicated", async () => {
    const app = await bot("outage", "o:");
    const references: string[] = [];
    const pledge = async (user: string, withConsent: boolean) => {
      const send = sender(app, user);
      await send({ payload: "flow:pledge" });
      await send({ text: "300k" });
      await send({ payload: "v:transfer" });
      if (withConsent) {
        await send({ payload: "v:yes" });
        await send({ text: "Trần Văn Bình" });
        await send({ text: "0912345678" });
        await send({ payload: "v:skip" });
        await send({ payload: "v:skip" });
      } else await send({ payload: "v:no" });
      const confirmId = `confirm-${user}`;
      const saved = await send({ payload: "v:confirm" }, confirmId);
      const reference = /VNN-[0-9A-Z]{6}/.exec(saved.text)?.[0];
      expect(reference, `${user}: ${saved.text}`).toBeDefined();
      references.push(reference!);
      // The platform retries the same update: nothing new happens.
      expect((await send({ payload: "v:confirm" }, confirmId)).duplicate).toBe(true);
    };

    await pledge("before-1", false);
    await pledge("before-2", true);
    // On a busy machine a save can outlast MONGODB_TIMEOUT_MS and wait in the outbox for a moment.
    await until(
      "the pledges made before the outage to be in MongoDB",
      async () => (await app.stores.readiness()).outbox === 0,
    );
    await ferret.stop();
    await until("MongoDB to be seen down", async () => !(await app.stores.readiness()).records.up);
    for (let i = 0; i < 4; i++) await pledge(`during-${i}`, i % 2 === 0);
    const during = await app.stores.readiness();
    expect(during.records.up).toBe(false);
    expect(during.outbox).toBe(6); // 4 pledges + 2 consent records
    // Turns are served and pledges carried: ready (200), with the degraded store named.
    expect(await readyz(app)).toEqual({
      status: 200,
      body: {
        ready: true,
        degraded: "records are down: pledges and consents wait in the outbox",
        stores: { sessions: "redis: up", records: "mongodb: down" },
        outbox: 6,
      },
    });
    // "My pledges" still shows a pledge made during the outage; staff's list says MongoDB is down.
    expect((await sender(app, "during-0")({ payload: "flow:my_pledges" })).text).toContain(references[2]!);
    await expect(app.records.pledges.list({}, { limit: 10 })).rejects.toThrow(/unavailable/);

    await ferret.start();
    await until("the outbox to drain", async () => (await app.stores.readiness()).outbox === 0);
    const users = ["before-1", "before-2", "during-0", "during-1", "during-2", "during-3"];
    const stored = (await Promise.all(users.map((u) => app.records.pledges.listByUser(`test:${u}`)))).flat();
    expect(stored.map((p) => p.reference).sort()).toEqual([...references].sort());
    expect((await app.records.pledges.totals()).count).toBe(6);
    expect((await app.records.pledges.list({}, { limit: 10 })).map((p) => p.reference).sort()).toEqual(
      [...references].sort(),
    );
    expect(await app.records.consents.listByUser("test:during-0")).toHaveLength(1);
  }, 60_000);

  it("Redis restarted mid-run: a friendly error during the outage, then it recovers by itself", async () => {
    const app = await bot("redis-outage", "r:");
    const send = sender(app, "r1");
    expect((await send({ text: "menu" })).text).toContain("Bạn muốn làm gì");
    await redis.stop();
    const started = Date.now();
    const during = await send({ text: "menu" });
    expect(during.text).toContain("hệ thống đang gặp sự cố");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await app.stores.readiness()).sessions.up).toBe(false);
    // No session store, no turn: not ready.
    expect((await readyz(app)).status).toBe(503);
    await redis.start();
    await until("Redis to be back", async () => (await app.stores.readiness()).sessions.up);
    expect((await send({ text: "menu" })).text).toContain("Bạn muốn làm gì");
  }, 30_000);
});
